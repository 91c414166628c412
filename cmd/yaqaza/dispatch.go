package main

import (
	"context"
	"log/slog"
	"slices"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// autoDispatch sends the first recommended unit to every new incident of a
// priority the pack's policy dispatches automatically (P1 in Fès), without
// waiting for a dispatcher. It wraps intake: the report is answered first.
type autoDispatch struct {
	yaqaza.ReportService
	units *sqlstore.UnitService
	ctx   context.Context
}

func (a autoDispatch) SubmitReport(ctx context.Context, in *yaqaza.ReportInput) (*yaqaza.Receipt, error) {
	r, err := a.ReportService.SubmitReport(ctx, in)
	if err == nil {
		a.maybe(r)
	}
	return r, err
}

func (a autoDispatch) SubmitReports(ctx context.Context, ins []*yaqaza.ReportInput, partial bool) ([]yaqaza.BatchItem, error) {
	items, err := a.ReportService.SubmitReports(ctx, ins, partial)
	for _, it := range items {
		if it.Receipt != nil {
			a.maybe(it.Receipt)
		}
	}
	return items, err
}

func (a autoDispatch) maybe(r *yaqaza.Receipt) {
	if r.Opened == 0 || r.Replayed || !slices.Contains(a.units.Policy().AutoDispatch, r.Opened) {
		return
	}
	go func(id int64) {
		ctx := yaqaza.NewContextWithActor(a.ctx, yaqaza.System("auto-dispatch"))
		recs, err := a.units.Recommend(ctx, id, 1)
		if err != nil || len(recs) == 0 {
			if err != nil {
				slog.Warn("auto-dispatch: no recommendation", "incident", id, "err", err)
			}
			return // the dispatcher's queue and the deadline take over
		}
		if _, err := a.units.Assign(ctx, id, yaqaza.AssignInput{Units: []int64{recs[0].Unit.ID}}); err != nil {
			slog.Info("auto-dispatch: not assigned", "incident", id, "unit", recs[0].Unit.CallSign, "err", yaqaza.ErrorMessage(err))
		}
	}(r.IncidentID)
}

// followupAPI gathers what the API needs of the follow-up side.
type followupAPI struct {
	*sqlstore.PackService
	*sqlstore.DB
}
