package main

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
	"github.com/yaqaza/yaqaza/triage"
)

// liveTriage is the triage pipeline in use; it is swapped whole when a new
// model version is trained, so that a report is triaged by one version.
type liveTriage struct {
	current  atomic.Pointer[triage.Triage]
	pack     *yaqaza.Pack
	zones    *geo.ZoneIndex
	models   *sqlstore.ModelService
	packs    *sqlstore.PackService // for categories an admin changes
	mu       sync.Mutex
	versions map[string]int
}

// Assess implements yaqaza.Assessor.
func (l *liveTriage) Assess(ctx context.Context, in *yaqaza.ReportInput) *yaqaza.Assessment {
	return l.current.Load().Assess(ctx, in)
}

func newLiveTriage(ctx context.Context, p *yaqaza.Pack, zones *geo.ZoneIndex, models *sqlstore.ModelService,
	packs *sqlstore.PackService) (*liveTriage, error) {
	l := &liveTriage{pack: p, zones: zones, models: models, packs: packs, versions: map[string]int{}}
	if _, err := l.reload(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// reload builds the pipeline again with the newest model versions and the
// categories in the store, if any changed, and says whether it did.
func (l *liveTriage) reload(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var m triage.Models
	changed := l.current.Load() == nil
	for _, spec := range []struct {
		name string
		dst  **triage.Classifier
	}{{yaqaza.ModelDialect, &m.Dialect}, {yaqaza.ModelCategory, &m.Category}, {yaqaza.ModelRelevance, &m.Relevance}} {
		info, data, err := l.models.LatestModel(ctx, spec.name)
		if yaqaza.ErrorCode(err) == yaqaza.ENOTFOUND {
			continue
		} else if err != nil {
			return false, err
		}
		c, err := triage.ReadClassifier(bytes.NewReader(data))
		if err != nil {
			slog.Error("a stored model cannot be read; triage goes on without it", "model", spec.name, "version", info.Version, "err", err)
			continue
		}
		*spec.dst = c
		if l.versions[spec.name] != info.Version {
			l.versions[spec.name] = info.Version
			changed = true
			slog.Info("triage model loaded", "model", spec.name, "version", info.Version, "labels", len(c.Labels))
		}
	}
	cats, err := l.packs.Categories(ctx)
	if err != nil {
		return false, err
	}
	if !slices.Equal(cats, l.pack.Categories) {
		p := *l.pack
		p.Categories = cats
		l.pack = &p
		changed = true
		slog.Info("triage categories loaded", "categories", len(cats))
	}
	if !changed {
		return false, nil
	}
	t, err := triage.New(l.pack, l.zones, m)
	if err != nil {
		return false, err
	}
	l.current.Store(t)
	return true, nil
}

// watchChanges reloads the pipeline when "yaqaza classify train --save"
// stores a new model version or an admin changes the categories, until
// ctx ends.
func (l *liveTriage) watchChanges(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := l.reload(ctx); err != nil && ctx.Err() == nil {
				slog.Warn("checking for new triage models", "err", err)
			}
		}
	}
}
