package http

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/yaqaza/yaqaza"
)

// statusOf is the one place where error codes become HTTP statuses.
var statusOf = map[string]int{
	yaqaza.EINVALID:      http.StatusBadRequest,
	yaqaza.EUNAUTHORIZED: http.StatusUnauthorized,
	yaqaza.EFORBIDDEN:    http.StatusForbidden,
	yaqaza.ENOTFOUND:     http.StatusNotFound,
	yaqaza.ECONFLICT:     http.StatusConflict,
	yaqaza.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	yaqaza.ERATELIMIT:    http.StatusTooManyRequests,
	yaqaza.EUNAVAILABLE:  http.StatusServiceUnavailable,
	yaqaza.EINTERNAL:     http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for an error's code.
func StatusOf(err error) int {
	if s, ok := statusOf[yaqaza.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorBody is the shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string             `json:"code"`
	Message string             `json:"message"`
	Field   string             `json:"field,omitempty"`
	Lines   []yaqaza.LineError `json:"lines,omitempty"`
}

// writeError answers with {"error":{"code","message"}}. Internal errors are
// logged with the request and shown as "internal error".
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := yaqaza.ErrorCode(err)
	if code == yaqaza.EINTERNAL {
		if r.Context().Err() != nil {
			// The client went away (a page left mid-request): nothing failed here.
			slog.Debug("request abandoned", "method", r.Method, "path", r.URL.Path, "err", err)
			return
		}
		slog.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := errorBody{Error: errorDetail{Code: code, Message: yaqaza.ErrorMessage(err)}}
	var e *yaqaza.Error
	if errors.As(err, &e) {
		body.Error.Field = e.Field
	}
	var be *yaqaza.BatchError
	if errors.As(err, &be) {
		body.Error.Lines = be.Lines
	}
	if code == yaqaza.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="yaqaza"`)
	}
	writeJSON(w, StatusOf(err), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
