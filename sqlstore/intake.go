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
	db       *DB
	assessor yaqaza.Assessor
	// OnDrop, when set, is told of every public post dropped as not about
	// an incident (for metrics).
	OnDrop func(ch yaqaza.Channel)
}

var _ yaqaza.ReportService = (*ReportService)(nil)

// NewReportService returns the intake service. With a nil assessor every
// report opens its own incident, unplaced, at P3.
func NewReportService(db *DB, assessor yaqaza.Assessor) *ReportService {
	return &ReportService{db: db, assessor: assessor}
}

// intakeItem is one report on its way into a group commit.
type intakeItem struct {
	in          *yaqaza.ReportInput
	assessment  *yaqaza.Assessment
	assessJSON  sql.NullString
	requestHash string
	receivedAt  time.Time
	actor       *yaqaza.Actor
	remote      string // the client's address, for the audit trail
	media       sql.NullString
	reporter    sql.NullString
	source      sql.NullString
	summary     string      // of the text, for the incident it may open
	row         incidentRow // what the incident it opens starts with, once the batch's clustering is done

	receipt *yaqaza.Receipt
	err     error       // a refusal of this item (idempotency key reuse); the batch goes on
	sameAs  *intakeItem // an earlier item of the same batch this one repeats
	outcome *yaqaza.ClusterOutcome
	stored  sql.NullString // the stored assessment of the report this one replays
	done    chan struct{}
}

// triageSummary is what the receipt says of triage: the report's own
// assessment as stored, with the incident it joined, so that a retry gets
// the first answer back.
func (it *intakeItem) triageSummary() *yaqaza.ReceiptTriage {
	a := it.assessment
	join := (*yaqaza.Join)(nil)
	if it.outcome != nil {
		join = it.outcome.Join
	}
	if it.receipt.Replayed {
		a = new(yaqaza.Assessment)
		if !it.stored.Valid || json.Unmarshal([]byte(it.stored.String), a) != nil {
			return nil
		}
		join = a.Join
	}
	if a == nil {
		return nil
	}
	t := &yaqaza.ReceiptTriage{Category: a.Category, Priority: a.Priority, Zone: a.ZoneCode}
	if join != nil {
		t.Joined, t.Reason = true, join.Reason
	}
	return t
}

// replay answers the item with a stored receipt.
func (it *intakeItem) replay(r *yaqaza.Receipt) {
	c := *r
	c.Replayed = true
	it.receipt = &c
}

// SubmitReport implements yaqaza.ReportService.
func (s *ReportService) SubmitReport(ctx context.Context, in *yaqaza.ReportInput) (*yaqaza.Receipt, error) {
	it, err := s.prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	if it.assessment != nil && !keep(in, it.assessment) {
		return s.drop(in, it.assessment), nil
	}
	if err := s.db.committer.submit(it); err != nil {
		return nil, err
	}
	if it.err != nil {
		return nil, it.err
	}
	if yaqaza.ActorFromContext(ctx).Authenticated() {
		it.receipt.Triage = it.triageSummary()
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
	queued := make([]*intakeItem, 0, len(ins))
	for i, it := range items {
		if it == nil {
			continue
		}
		if it.assessment != nil && !keep(it.in, it.assessment) {
			out[i].Receipt = s.drop(it.in, it.assessment)
			items[i] = nil
			continue
		}
		queued = append(queued, it)
	}
	if err := s.db.committer.submit(queued...); err != nil {
		return nil, err
	}
	for i, it := range items {
		switch {
		case it == nil:
		case it.err != nil:
			out[i].Err = it.err
		default:
			out[i].Receipt = it.receipt
			out[i].Receipt.Triage = it.triageSummary()
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
	if !in.Channel.Public() {
		if !actor.Authenticated() {
			return nil, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "channel %s needs a credential; only the web channel is open to the public", in.Channel)
		}
		if _, err := yaqaza.Authorize(ctx, yaqaza.ActSubmitReport); err != nil {
			return nil, err
		}
	}
	hash, err := requestHash(in)
	if err != nil {
		return nil, err
	}
	it := &intakeItem{in: in, requestHash: hash, receivedAt: now, actor: actor, remote: yaqaza.RemoteFromContext(ctx),
		summary: summarise(in.Text)}
	if in.ReceivedAt != nil {
		it.receivedAt = in.ReceivedAt.UTC()
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
	if s.assessor != nil {
		it.assessment = s.assessor.Assess(ctx, in)
		if it.assessJSON, err = jsonColumn(it.assessment, false); err != nil {
			return nil, err
		}
	}
	return it, nil
}

// keep says whether a report is stored. Reports addressed to the police are
// always kept and answered; a public post picked up from social media or the
// news is kept only when it is about a public-safety incident (the purpose
// limit: Yaqaza handles incidents, not opinions or people).
func keep(in *yaqaza.ReportInput, a *yaqaza.Assessment) bool {
	return in.Channel != yaqaza.ChannelSocial || a.Relevant
}

// drop answers a public post that is not kept. It is counted, not stored.
func (s *ReportService) drop(in *yaqaza.ReportInput, a *yaqaza.Assessment) *yaqaza.Receipt {
	s.db.countDropped(in.Channel, s.db.Now())
	if s.OnDrop != nil {
		s.OnDrop(in.Channel)
	}
	return &yaqaza.Receipt{Dropped: true, DropReason: "not about a public-safety incident: counted, not stored (" + a.RelevanceWhy + ")"}
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

// FindReportByID implements yaqaza.ReportService. The report is shaped to
// the reader's view; a read that shows contact details or media is audited.
func (s *ReportService) FindReportByID(ctx context.Context, id int64) (*yaqaza.Report, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActReadIncidents)
	if err != nil {
		return nil, err
	}
	rs, err := s.db.findReports(ctx, s.db.read, `r.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, yaqaza.Errorf(yaqaza.ENOTFOUND, "report %d not found", id)
	}
	var zone sql.NullString
	if err := s.db.read.QueryRowContext(ctx, s.db.q(`SELECT zone_code FROM incidents WHERE id = ?`), rs[0].IncidentID).Scan(&zone); err != nil {
		return nil, err
	}
	if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActReadIncidents, zone.String); err != nil {
		return nil, err
	}
	r := yaqaza.ShapeReport(actor, rs[0])
	if r == nil {
		return nil, yaqaza.Errorf(yaqaza.EFORBIDDEN, "the %s role sees incidents cleared for publication, not reports", actor.Role)
	}
	if r.HoldsPersonal() {
		if err := s.db.auditAlone(ctx, auditOf(ctx, actor, "personal.read", object("report", id), zone.String, "report with contact details or media")); err != nil {
			return nil, err
		}
	}
	return r, nil
}
