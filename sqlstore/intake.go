package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// ReportService implements yaqaza.ReportService.
type ReportService struct {
	db     *DB
	placer yaqaza.Placer
}

var _ yaqaza.ReportService = (*ReportService)(nil)

// NewReportService returns the intake service; placer may be nil (no zone).
func NewReportService(db *DB, placer yaqaza.Placer) *ReportService {
	return &ReportService{db: db, placer: placer}
}

// intakeItem is one report on its way into a group commit.
type intakeItem struct {
	in          *yaqaza.ReportInput
	placement   yaqaza.Placement
	requestHash string
	receivedAt  time.Time
	actorID     string
	actorName   string
	media       sql.NullString
	reporter    sql.NullString
	source      sql.NullString

	receipt *yaqaza.Receipt
	err     error // a refusal of this item (idempotency key reuse); the batch goes on
}

// SubmitReport implements yaqaza.ReportService.
func (s *ReportService) SubmitReport(ctx context.Context, in *yaqaza.ReportInput) (*yaqaza.Receipt, error) {
	it, err := s.prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	req := &commitReq{apply: func(ctx context.Context, tx *sql.Tx) error { return s.write(ctx, tx, it) }}
	if err := s.db.committer.submit(req); err != nil {
		return nil, err
	}
	if req.err != nil {
		return nil, req.err
	}
	if it.err != nil {
		return nil, it.err
	}
	return it.receipt, nil
}

// SubmitReports implements yaqaza.ReportService.
func (s *ReportService) SubmitReports(ctx context.Context, ins []*yaqaza.ReportInput, partial bool) ([]yaqaza.BatchItem, error) {
	out := make([]yaqaza.BatchItem, len(ins))
	items := make([]*intakeItem, len(ins))
	var bad []yaqaza.LineError
	for i, in := range ins {
		it, err := s.prepare(ctx, in)
		if err != nil {
			if code := yaqaza.ErrorCode(err); code == yaqaza.EUNAUTHORIZED || code == yaqaza.EINTERNAL {
				return nil, err // the same for every line: refuse the batch
			}
			var field string
			var e *yaqaza.Error
			if errors.As(err, &e) {
				field = e.Field
			}
			bad = append(bad, yaqaza.LineError{Line: i + 1, Code: yaqaza.ErrorCode(err), Field: field, Msg: yaqaza.ErrorMessage(err)})
			out[i].Err = err
			continue
		}
		items[i] = it
	}
	if len(bad) > 0 && !partial {
		return nil, &yaqaza.BatchError{Lines: bad, Total: len(ins)}
	}
	reqs := make([]*commitReq, 0, len(ins))
	idx := make([]int, 0, len(ins))
	for i, it := range items {
		if it == nil {
			continue
		}
		it := it
		reqs = append(reqs, &commitReq{apply: func(ctx context.Context, tx *sql.Tx) error { return s.write(ctx, tx, it) }})
		idx = append(idx, i)
	}
	if err := s.db.committer.submit(reqs...); err != nil {
		return nil, err
	}
	for k, r := range reqs {
		i := idx[k]
		switch {
		case r.err != nil:
			out[i].Err = r.err
		case items[i].err != nil:
			out[i].Err = items[i].err
		default:
			out[i].Receipt = items[i].receipt
		}
	}
	return out, nil
}

// prepare does everything that needs no lock: authorisation, validation,
// placement, pseudonymisation and encoding. It runs in the caller's
// goroutine so that the single writer only writes.
func (s *ReportService) prepare(ctx context.Context, in *yaqaza.ReportInput) (*intakeItem, error) {
	actor := yaqaza.ActorFromContext(ctx)
	now := s.db.Now().UTC()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	if !in.Channel.Public() && !actor.Authenticated() {
		return nil, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "channel %s needs a credential; only the web channel is open to the public", in.Channel)
	}
	hash, err := requestHash(in)
	if err != nil {
		return nil, err
	}
	it := &intakeItem{in: in, requestHash: hash, receivedAt: now, actorID: actor.ID, actorName: actor.Name}
	if in.ReceivedAt != nil {
		it.receivedAt = in.ReceivedAt.UTC()
	}
	if s.placer != nil {
		it.placement = s.placer.Place(ctx, in)
	}
	if in.Source != nil && in.Source.Author != "" {
		src := *in.Source
		src.AuthorPseudonym = s.db.Pseudonym(src.Platform, src.Author)
		src.Author = ""
		in.Source = &src
	}
	if it.media, err = jsonColumn(in.Media, len(in.Media) == 0); err != nil {
		return nil, err
	}
	if it.reporter, err = jsonColumn(in.Reporter, in.Reporter.Empty()); err != nil {
		return nil, err
	}
	if it.source, err = jsonColumn(in.Source, in.Source == nil); err != nil {
		return nil, err
	}
	return it, nil
}

// Pseudonym returns the keyed pseudonym of a public account: the same account
// always gets the same pseudonym, and nobody without the key can reverse it.
func (db *DB) Pseudonym(platform, author string) string {
	m := hmac.New(sha256.New, db.pseudonymKey)
	m.Write([]byte(strings.ToLower(platform)))
	m.Write([]byte{0})
	m.Write([]byte(strings.ToLower(strings.TrimPrefix(author, "@"))))
	return "ps_" + hex.EncodeToString(m.Sum(nil)[:8])
}

// requestHash fingerprints a submission so that an idempotency key reused
// for a different report is caught.
func requestHash(in *yaqaza.ReportInput) (string, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

func jsonColumn(v any, empty bool) (sql.NullString, error) {
	if empty {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

const (
	sqlFindByIdempotency = `SELECT id, tracking_code, incident_id, received_at, request_hash FROM reports WHERE idempotency_key = ?`
	sqlFindByExternal    = `SELECT id, tracking_code, incident_id, received_at, request_hash FROM reports WHERE channel = ? AND external_id = ?`
	sqlInsertIncident    = `INSERT INTO incidents (status, category, priority, priority_reason, zone_code, lat, lon, summary, owner,
		report_count, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?) RETURNING id`
	sqlInsertReport = `INSERT INTO reports (incident_id, tracking_code, channel, external_id, idempotency_key, request_hash,
		text, language, lat, lon, place, media, reporter, source, occurred_at, received_at, submitted_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`
	sqlInsertTimeline = `INSERT INTO timeline (incident_id, at, actor_id, actor_name, kind, from_status, to_status,
		report_id, other_incident_id, detail, public_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// write runs inside the group commit. It returns only storage errors; a
// refusal of this one report is left in it.err so that the batch goes on.
func (s *ReportService) write(ctx context.Context, tx *sql.Tx, it *intakeItem) error {
	it.receipt, it.err = nil, nil
	if prior, err := s.findPrior(ctx, tx, it); err != nil || prior != nil {
		return err
	}
	in, p := it.in, it.placement
	var lat, lon sql.NullFloat64
	if p.Location != nil {
		lat = sql.NullFloat64{Float64: p.Location.Lat, Valid: true}
		lon = sql.NullFloat64{Float64: p.Location.Lon, Valid: true}
	}
	priority := p.Priority
	if !priority.Valid() {
		priority = yaqaza.P3
	}
	st, err := s.db.stmt(ctx, tx, sqlInsertIncident)
	if err != nil {
		return err
	}
	at := toMillis(it.receivedAt)
	var incidentID int64
	if err := st.QueryRowContext(ctx, yaqaza.StatusNew, p.Category, int(priority), p.PriorityReason,
		nullString(p.ZoneCode), lat, lon, summarise(in.Text), ownerOf(p.ZoneCode), at, at).Scan(&incidentID); err != nil {
		return err
	}
	var rlat, rlon sql.NullFloat64
	if in.Location != nil {
		rlat = sql.NullFloat64{Float64: in.Location.Lat, Valid: true}
		rlon = sql.NullFloat64{Float64: in.Location.Lon, Valid: true}
	}
	ins, err := s.db.stmt(ctx, tx, sqlInsertReport)
	if err != nil {
		return err
	}
	var reportID int64
	var code string
	for attempt := 0; ; attempt++ {
		code = yaqaza.NewTrackingCode()
		err = ins.QueryRowContext(ctx, incidentID, code, in.Channel, nullString(in.ExternalID), nullString(in.IdempotencyKey),
			it.requestHash, in.Text, nullString(in.Language), rlat, rlon, nullString(in.Place), it.media, it.reporter, it.source,
			nullMillis(in.OccurredAt), at, it.actorID).Scan(&reportID)
		if err == nil {
			break
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Nothing inserted: another node wrote the same keys between our
		// check and our insert, or (once in 2^55) the code is taken.
		if prior, perr := s.findPrior(ctx, tx, it); perr != nil || prior != nil {
			if perr == nil {
				_, perr = tx.ExecContext(ctx, s.db.q(`DELETE FROM incidents WHERE id = ?`), incidentID)
			}
			return perr
		}
		if attempt == 3 {
			return errors.New("sqlstore: could not insert report: unique constraint keeps failing")
		}
	}
	tl, err := s.db.stmt(ctx, tx, sqlInsertTimeline)
	if err != nil {
		return err
	}
	if _, err := tl.ExecContext(ctx, incidentID, at, it.actorID, it.actorName, yaqaza.EventIncidentCreated,
		nil, yaqaza.StatusNew, reportID, nil, "opened from a "+string(in.Channel)+" report", nil); err != nil {
		return err
	}
	it.receipt = &yaqaza.Receipt{ReportID: reportID, TrackingCode: code, IncidentID: incidentID, ReceivedAt: fromMillis(at)}
	return nil
}

// findPrior looks for a report already stored under the item's idempotency
// key or (channel, external_id). When found, the item gets its receipt (or a
// conflict, when the key was used for another report).
func (s *ReportService) findPrior(ctx context.Context, tx *sql.Tx, it *intakeItem) (*yaqaza.Receipt, error) {
	in := it.in
	var query string
	var args []any
	switch {
	case in.IdempotencyKey != "":
		query, args = sqlFindByIdempotency, []any{in.IdempotencyKey}
	case in.ExternalID != "":
		query, args = sqlFindByExternal, []any{in.Channel, in.ExternalID}
	default:
		return nil, nil
	}
	st, err := s.db.stmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	var r yaqaza.Receipt
	var at int64
	var hash string
	err = st.QueryRowContext(ctx, args...).Scan(&r.ReportID, &r.TrackingCode, &r.IncidentID, &at, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		if in.IdempotencyKey != "" && in.ExternalID != "" {
			// The key is new but the post may be known under its external id.
			ext := *it
			ext.in = &yaqaza.ReportInput{Channel: in.Channel, ExternalID: in.ExternalID}
			p, err := s.findPrior(ctx, tx, &ext)
			if p != nil {
				it.receipt = p
			}
			return p, err
		}
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	r.ReceivedAt = fromMillis(at)
	r.Replayed = true
	if query == sqlFindByIdempotency && hash != it.requestHash {
		it.err = yaqaza.Errorf(yaqaza.ECONFLICT, "Idempotency-Key %q was already used for a different report (report %d)", in.IdempotencyKey, r.ReportID)
		return &r, nil
	}
	it.receipt = &r
	return &r, nil
}

// summarise keeps the start of a report's text as the incident's summary.
func summarise(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= 200 {
		return text
	}
	r := []rune(text)
	return string(r[:199]) + "…"
}

// ownerOf names who must act on a new incident: the dispatch desk of its
// zone, or the prefecture's desk when the zone is not known.
func ownerOf(zone string) string {
	if zone == "" {
		return "desk:prefecture"
	}
	return "desk:" + zone
}

// FindReportByID implements yaqaza.ReportService.
func (s *ReportService) FindReportByID(ctx context.Context, id int64) (*yaqaza.Report, error) {
	if _, err := requireAuth(ctx); err != nil {
		return nil, err
	}
	rs, err := s.db.findReports(ctx, s.db.read, `r.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, yaqaza.Errorf(yaqaza.ENOTFOUND, "report %d not found", id)
	}
	return rs[0], nil
}
