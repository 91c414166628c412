package http

// OASIS CAP 1.2. The communications office's published statements are
// public alerts: an Atom feed lists them and links each to its CAP
// document, both public like GET /api/v1/statements. Alerts from other
// agencies come in on POST /api/v1/reports/cap as reports on the agency
// channel, for callers who may submit on it.

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/cap"
)

const (
	// capFeedSize is how many statements the feed lists, newest first,
	// as GET /api/v1/statements does.
	capFeedSize = 50
	// capCacheControl has caches ask again every time: the feed and the
	// alerts are public, but their links are built from the Host the
	// client used and the feed's title follows its language, which a
	// shared cache would hand to every client alike.
	capCacheControl = "no-cache"
)

func (s *Server) capIssuer(r *http.Request) (cap.Issuer, error) {
	p, err := s.Packs.CurrentPack(r.Context())
	if err != nil {
		return cap.Issuer{}, err
	}
	return cap.Issuer{Sender: agencyID(p), Pack: p}, nil
}

func capAlertURL(r *http.Request, tls bool) func(id int64) string {
	base := baseURL(r, tls)
	return func(id int64) string { return base + "/cap/v1/alerts/" + strconv.FormatInt(id, 10) + ".xml" }
}

// handleCAPFeed lists the recent statements as an Atom feed of alerts.
func (s *Server) handleCAPFeed(w http.ResponseWriter, r *http.Request) error {
	is, err := s.capIssuer(r)
	if err != nil {
		return err
	}
	list, err := s.Incidents.PublicStatements(r.Context(), capFeedSize)
	if err != nil {
		return err
	}
	feed := is.NewFeed(list, language(r), baseURL(r, s.TLS)+"/cap/v1/alerts.atom", capAlertURL(r, s.TLS), time.Now())
	return writeXML(w, cap.AtomContentType, feed)
}

// handleCAPAlert serves one statement as a CAP alert: alerts/{id}.xml.
func (s *Server) handleCAPAlert(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	raw, ok := strings.CutSuffix(file, ".xml")
	if !ok {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "%q is not an alert: alerts are /cap/v1/alerts/{id}.xml", short(file))
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "%q is not an alert id: ids are positive whole numbers", short(raw))
	}
	is, err := s.capIssuer(r)
	if err != nil {
		return err
	}
	st, earlier, err := s.Incidents.PublicStatement(r.Context(), id)
	if yaqaza.ErrorCode(err) == yaqaza.ENOTFOUND {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "no alert %d: no statement with that id was published", id)
	} else if err != nil {
		return err
	}
	alert, err := is.NewAlert(st, earlier)
	if err != nil {
		return err
	}
	return writeXML(w, cap.ContentType, alert)
}

func writeXML(w http.ResponseWriter, contentType string, v any) error {
	var buf bytes.Buffer
	if err := cap.Encode(&buf, v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", capCacheControl)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// handleSubmitCAP takes an alert from another agency as a report.
func (s *Server) handleSubmitCAP(w http.ResponseWriter, r *http.Request) error {
	return s.takeDocument(w, r, "cap", func(body []byte, now time.Time) (*yaqaza.ReportInput, error) {
		alert, err := cap.Decode(body)
		if err != nil {
			return nil, err
		}
		return alert.Report(now)
	})
}

func (s *Server) handleCAPUnknown(w http.ResponseWriter, r *http.Request) error {
	return yaqaza.Errorf(yaqaza.ENOTFOUND, "no CAP endpoint %s %s: the feed is /cap/v1/alerts.atom", r.Method, short(r.URL.Path))
}
