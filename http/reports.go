package http

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/yaqaza/yaqaza"
)

// droppedBody is the 200 answer to a public post that was not kept.
type droppedBody struct {
	Dropped bool   `json:"dropped"`
	Reason  string `json:"reason"`
}

// receiptBody is the 201 answer to a submitted report.
type receiptBody struct {
	*yaqaza.Receipt
	TrackURL string `json:"track_url"`
}

func newReceiptBody(r *yaqaza.Receipt) receiptBody {
	return receiptBody{Receipt: r, TrackURL: "/api/v1/track/" + r.TrackingCode}
}

func (s *Server) handleSubmitReport(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	body, err := readBody(w, r, MaxReportBody)
	if err != nil {
		return err
	}
	var in yaqaza.ReportInput
	if err := decodeJSON(body, &in); err != nil {
		s.Metrics.reportsReceived.WithLabelValues(channelLabel(in.Channel), "refused").Inc()
		return err
	}
	in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	receipt, err := s.Reports.SubmitReport(r.Context(), &in)
	if err != nil {
		s.Metrics.reportsReceived.WithLabelValues(channelLabel(in.Channel), "refused").Inc()
		return err
	}
	if receipt.Dropped {
		// Counted, not stored: there is nothing to create or to track.
		s.Metrics.reportsReceived.WithLabelValues(string(in.Channel), "dropped").Inc()
		writeJSON(w, http.StatusOK, droppedBody{Dropped: true, Reason: receipt.DropReason})
		return nil
	}
	outcome := "created"
	if receipt.Replayed {
		outcome = "replayed"
		w.Header().Set("Idempotent-Replayed", "true")
	}
	s.Metrics.reportsReceived.WithLabelValues(string(in.Channel), outcome).Inc()
	s.Metrics.intakeDuration.WithLabelValues("report").Observe(time.Since(start).Seconds())
	w.Header().Set("Location", "/api/v1/reports/"+strconv.FormatInt(receipt.ReportID, 10))
	writeJSON(w, http.StatusCreated, newReceiptBody(receipt))
	return nil
}

// channelLabel keeps the metric's label set bounded whatever clients send.
func channelLabel(c yaqaza.Channel) string {
	if c.Valid() {
		return string(c)
	}
	return "invalid"
}

// batchLine is one line of a batch answer.
type batchLine struct {
	Line    int          `json:"line"`
	Status  int          `json:"status"`
	Error   *errorDetail `json:"error,omitempty"`
	Dropped bool         `json:"dropped,omitempty"`
	Reason  string       `json:"reason,omitempty"`
	*yaqaza.Receipt
}

// handleSubmitBatch takes NDJSON, one report a line. Every line is checked
// before anything is written: by default one bad line refuses the whole
// batch (400, every bad line listed); with ?partial=true the good lines are
// written and each line gets its own result. The answer is NDJSON, a line
// per input line. An Idempotency-Key on the batch makes each line's key
// "<key>#<line>", so a retried batch writes nothing twice.
func (s *Server) handleSubmitBatch(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	partial, _ := strconv.ParseBool(r.URL.Query().Get("partial"))
	body, err := readBody(w, r, MaxBatchBody)
	if err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	var ins []*yaqaza.ReportInput
	var lineNo []int // input index → line number in the body
	var bad []yaqaza.LineError
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), MaxReportBody)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if len(ins) == MaxBatchLines {
			return yaqaza.Errorf(yaqaza.ETOOLARGE, "a batch holds at most %d lines; send the rest in another batch", MaxBatchLines)
		}
		in := &yaqaza.ReportInput{}
		if err := decodeJSON(line, in); err != nil {
			bad = append(bad, yaqaza.LineError{Line: n, Code: yaqaza.ErrorCode(err), Field: fieldOf(err), Msg: yaqaza.ErrorMessage(err)})
			in = nil
		} else if key != "" {
			in.IdempotencyKey = key + "#" + strconv.Itoa(n)
		}
		ins = append(ins, in)
		lineNo = append(lineNo, n)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return yaqaza.Errorf(yaqaza.ETOOLARGE, "a line of the batch is over the limit of %s", sizeName(MaxReportBody))
		}
		return err
	}
	if len(ins) == 0 {
		return yaqaza.Errorf(yaqaza.EINVALID, "the batch is empty: send one JSON report per line")
	}
	if len(bad) > 0 && !partial {
		// Name every bad line in one answer: the lines that decoded may
		// still break the rules.
		now := time.Now()
		var all []yaqaza.LineError
		next := 0
		for i, in := range ins {
			if in == nil {
				all = append(all, bad[next])
				next++
			} else if err := in.Validate(now); err != nil {
				all = append(all, yaqaza.LineError{Line: lineNo[i], Code: yaqaza.ErrorCode(err), Field: fieldOf(err), Msg: yaqaza.ErrorMessage(err)})
			}
		}
		return &yaqaza.BatchError{Lines: all, Total: len(ins)}
	}
	// Lines that did not decode stay out of the service call.
	var good []*yaqaza.ReportInput
	var goodIdx []int
	for i, in := range ins {
		if in != nil {
			good = append(good, in)
			goodIdx = append(goodIdx, i)
		}
	}
	results := make([]batchLine, len(ins))
	next := 0 // bad is in line order, like ins
	for i := range results {
		results[i].Line = lineNo[i]
		if ins[i] == nil {
			b := bad[next]
			next++
			results[i].Status = http.StatusBadRequest
			results[i].Error = &errorDetail{Code: b.Code, Field: b.Field, Message: b.Msg}
		}
	}
	if len(good) > 0 {
		items, err := s.Reports.SubmitReports(r.Context(), good, partial)
		var be *yaqaza.BatchError
		if errors.As(err, &be) {
			for i := range be.Lines {
				be.Lines[i].Line = lineNo[goodIdx[be.Lines[i].Line-1]]
			}
			be.Total = len(ins)
			return be
		} else if err != nil {
			return err
		}
		for k, it := range items {
			res := &results[goodIdx[k]]
			if it.Err != nil {
				res.Status = StatusOf(it.Err)
				res.Error = &errorDetail{Code: yaqaza.ErrorCode(it.Err), Field: fieldOf(it.Err), Message: yaqaza.ErrorMessage(it.Err)}
				s.Metrics.reportsReceived.WithLabelValues(channelLabel(good[k].Channel), "refused").Inc()
				continue
			}
			res.Status = http.StatusCreated
			res.Receipt = it.Receipt
			outcome := "created"
			switch {
			case it.Receipt.Dropped:
				res.Status, outcome = http.StatusOK, "dropped"
				res.Dropped, res.Reason, res.Receipt = true, it.Receipt.DropReason, nil
			case it.Receipt.Replayed:
				outcome = "replayed"
			}
			s.Metrics.reportsReceived.WithLabelValues(string(good[k].Channel), outcome).Inc()
		}
	}
	s.Metrics.intakeDuration.WithLabelValues("batch").Observe(time.Since(start).Seconds())
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, res := range results {
		enc.Encode(res)
	}
	return nil
}

func (s *Server) handleGetReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.Reports.FindReportByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func fieldOf(err error) string {
	var e *yaqaza.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func pathID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, yaqaza.Errorf(yaqaza.ENOTFOUND, "%q is not an id: ids are positive whole numbers", raw)
	}
	return id, nil
}
