package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// loggedCall is one police call of a computer-aided-dispatch log, with the
// times its stages were really reached (zero when the log has none).
type loggedCall struct {
	ID       string
	Problem  string
	Priority int
	Channel  yaqaza.Channel
	Start    time.Time
	Queued   time.Time
	Dispatch time.Time
	EnRoute  time.Time
	Arrival  time.Time
	Cleared  time.Time
	Closed   time.Time
	Outcome  string
	// ClearingEstimated: the log does not show the call cleared, and
	// Cleared is an estimate (see estimateClearing).
	ClearingEstimated bool
}

// readCallLog reads the police calls of a CAD log (CSV with the columns of
// ../shared/data/calls/week*.csv), in order of their start.
func readCallLog(path string) ([]loggedCall, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for _, need := range []string{"Agency", "Problem", "Priority_Number", "Call_Reception", "Incident_Start_Time", "Incident_Dispatch_Time",
		"Incident_Enroute_Time", "Incident_Arrival_Time", "TimeFirstCallCleared", "Disposition"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s: column %s is missing: not a CAD log of the expected shape", path, need)
		}
	}
	var calls []loggedCall
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		get := func(name string) string { return rec[col[name]] }
		if get("Agency") != "POLICE" {
			continue
		}
		c := loggedCall{ID: get("Master_Incident_Number"), Problem: get("Problem"), Channel: receptionChannel(get("Call_Reception")),
			Outcome: dispositionOutcome(get("Disposition"))}
		c.Priority, _ = strconv.Atoi(get("Priority_Number"))
		if c.Start = logTime(get("Incident_Start_Time")); c.Start.IsZero() {
			continue
		}
		c.Queued, c.Dispatch = logTime(get("Incident_Queue_Time")), logTime(get("Incident_Dispatch_Time"))
		c.EnRoute, c.Arrival = logTime(get("Incident_Enroute_Time")), logTime(get("Incident_Arrival_Time"))
		c.Cleared, c.Closed = logTime(get("TimeFirstCallCleared")), logTime(get("Final_Closed_Time"))
		calls = append(calls, c)
	}
	slices.SortStableFunc(calls, func(a, b loggedCall) int { return a.Start.Compare(b.Start) })
	estimateClearing(calls)
	return calls, nil
}

// estimateClearing gives the calls whose unit the log never shows clearing
// (the call was still open when the log was cut) the median time on a call
// of the log; without it those units would stay busy to the end.
func estimateClearing(calls []loggedCall) {
	var spans []time.Duration
	for _, c := range calls {
		if !c.Dispatch.IsZero() && !c.Cleared.IsZero() && !c.Cleared.Before(c.Dispatch) {
			spans = append(spans, c.Cleared.Sub(c.Dispatch))
		}
	}
	if len(spans) == 0 {
		return
	}
	slices.Sort(spans)
	median := spans[len(spans)/2]
	for i := range calls {
		c := &calls[i]
		if !c.Dispatch.IsZero() && c.Cleared.IsZero() && c.Closed.IsZero() {
			c.Cleared, c.ClearingEstimated = c.Dispatch.Add(median), true
		}
	}
}

// logTime reads "2025-09-28 00:09:40.000"; "NULL" and empty are zero. The
// log's local time is kept as is: only differences matter.
func logTime(s string) time.Time {
	if s == "" || s == "NULL" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func receptionChannel(s string) yaqaza.Channel {
	switch s {
	case "OFFICER", "Radio":
		return yaqaza.ChannelField
	case "C2C", "CAD2CAD", "VCIN", "911 Center":
		return yaqaza.ChannelAgency
	}
	return yaqaza.ChannelCall
}

func dispositionOutcome(s string) string {
	switch {
	case strings.HasPrefix(s, "RE-"), strings.HasPrefix(s, "ACOR"), strings.HasPrefix(s, "CI-"), strings.HasPrefix(s, "SUP"):
		return yaqaza.OutcomeReportFiled
	case strings.HasPrefix(s, "FALSE"), strings.HasPrefix(s, "CN-"):
		return yaqaza.OutcomeUnfounded
	case strings.HasPrefix(s, "DUP"):
		return yaqaza.OutcomeDuplicate
	case strings.HasPrefix(s, "RAF"), strings.HasPrefix(s, "CAD2CAD"):
		return yaqaza.OutcomeReferred
	case strings.Contains(s, "ARREST"):
		return yaqaza.OutcomeArrest
	}
	return yaqaza.OutcomeResolvedOnScene
}

// problemCategory maps the log's problem codes to the pack's categories.
func problemCategory(p string) string {
	for _, m := range []struct{ word, category string }{
		{"WEAPON", "armed"}, {"SHOOT", "armed"}, {"STAB", "armed"}, {"GUN", "armed"},
		{"DOMESTIC", "domestic_violence"}, {"PROTECTIVE ORDER", "domestic_violence"},
		{"ASSAULT", "assault"}, {"FIGHT", "public_disorder"}, {"DISORDERLY", "public_disorder"}, {"NOISE", "public_disorder"},
		{"ROBBERY", "theft_robbery"}, {"LARCENY", "theft_robbery"}, {"SHOPLIFT", "theft_robbery"}, {"GLA", "theft_robbery"},
		{"BURGLARY", "burglary"}, {"B&E", "burglary"}, {"TRESPASS", "burglary"},
		{"DRUG", "drugs"}, {"HARASS", "harassment"}, {"TELEPHONE COMPLAINT", "harassment"},
		{"MISSING", "missing_person"}, {"RUNAWAY", "missing_person"},
		{"FRAUD", "fraud_cyber"}, {"SWINDLE", "fraud_cyber"}, {"FORGERY", "fraud_cyber"},
		{"DEST OF PROP", "vandalism"}, {"VANDAL", "vandalism"}, {"GRAFFITI", "vandalism"},
		{"MVC", "traffic"}, {"TRAFFIC", "traffic"}, {"DWI", "traffic"}, {"MOTORIST", "traffic"}, {"PARKING", "traffic"},
	} {
		if strings.Contains(p, m.word) {
			return m.category
		}
	}
	return "other"
}

// logPriority maps the log's priority (1 most urgent … 10) to P1–P4.
func logPriority(n int) yaqaza.Priority {
	switch {
	case n == 1:
		return yaqaza.P1
	case n == 2:
		return yaqaza.P2
	case n == 3:
		return yaqaza.P3
	}
	return yaqaza.P4
}
