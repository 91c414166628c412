package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/followup"
)

// The statements of intake, with a text for every row count (see bulk.go).
var (
	bulkPriorByKey = newBulkStatement(func(n int) string {
		return inSQL(`SELECT idempotency_key, id, incident_id, received_at, request_hash, assessment FROM reports WHERE idempotency_key IN`, n, "")
	})
	bulkPriorByExternal = newBulkStatement(func(n int) string {
		return inSQL(`SELECT channel, external_id, id, incident_id, received_at, assessment FROM reports WHERE external_id IN`, n, "")
	})
	bulkInsertIncidents = newBulkStatement(func(n int) string {
		return bulkSQL(`INSERT INTO incidents (id, status, category, priority, priority_reason, category_reason, zone_code, lat, lon,
			summary, owner, attention, attention_summary, flags, reason, public_message, report_count, version, created_at, updated_at,
			deadline_stage, deadline_at, timer_at) VALUES`, 23, n, "")
	})
	bulkInsertReports = newBulkStatement(func(n int) string {
		return bulkSQL(`INSERT INTO reports (id, incident_id, channel, external_id, idempotency_key, request_hash,
			text, language, lat, lon, place, media, reporter, source, occurred_at, received_at, submitted_by, assessment) VALUES`,
			18, n, " ON CONFLICT DO NOTHING")
	})
	bulkInsertTimeline = newBulkStatement(func(n int) string {
		return bulkSQL(`INSERT INTO timeline (incident_id, at, actor_id, actor_name, kind, from_status, to_status,
			report_id, other_incident_id, detail, public_message, zone_code) VALUES`, 12, n, "")
	})
	maxIDQuery = map[string]string{
		"incidents": `SELECT coalesce(max(id), 0) FROM incidents`,
		"reports":   `SELECT coalesce(max(id), 0) FROM reports`,
	}
)

// writeIntake writes a batch of reports in the caller's transaction: it
// finds the ones already stored (by idempotency key or channel and external
// id) and the repeats inside the batch; the clusterer then puts each of the
// rest in an open incident it belongs to or in a new one; a few multi-row
// statements write it all. It may run again on the same items (after
// errRetryBatch, or alone), so it only sets results. The caller aborts the
// returned cluster batch if the transaction fails.
func (db *DB) writeIntake(ctx context.Context, tx *sql.Tx, batch []*intakeItem) (yaqaza.ClusterBatch, error) {
	for _, it := range batch {
		it.receipt, it.err, it.sameAs, it.outcome, it.stored = nil, nil, nil, nil, sql.NullString{}
	}
	if err := db.findPriors(ctx, tx, batch); err != nil {
		return nil, err
	}
	fresh := markRepeats(batch)
	if len(fresh) == 0 {
		return nil, nil
	}
	incidentIDs, err := db.allocateIDs(ctx, tx, "incidents", len(fresh))
	if err != nil {
		return nil, err
	}
	reportIDs, err := db.allocateIDs(ctx, tx, "reports", len(fresh))
	if err != nil {
		return nil, err
	}
	var cb yaqaza.ClusterBatch
	if db.clusterer != nil {
		cb = db.clusterer.Begin()
	}
	var opened []*intakeItem
	joined := map[int64]*joinUpdate{}
	var joinOrder []int64
	for i, it := range fresh {
		it.receipt = &yaqaza.Receipt{ReportID: reportIDs[i], IncidentID: incidentIDs[i],
			TrackingCode: db.codes.Code(reportIDs[i]), ReceivedAt: fromMillis(toMillis(it.receivedAt))}
		a := it.assessment
		if cb != nil && a != nil && a.Relevant && !a.NotPolice {
			out := cb.Assign(yaqaza.ClusterInput{Assessment: a, Channel: it.in.Channel, Source: it.in.Source,
				Media: it.in.Media, At: it.receivedAt}, incidentIDs[i])
			it.outcome = &out
			if out.Join != nil {
				it.receipt.IncidentID = out.IncidentID
				u := joined[out.IncidentID]
				if u == nil {
					u = &joinUpdate{}
					joined[out.IncidentID] = u
					joinOrder = append(joinOrder, out.IncidentID)
				}
				u.add(it, out)
				continue
			}
		}
		it.row = incidentValues(it)
		opened = append(opened, it)
	}
	if err := db.openIncidents(ctx, tx, opened); err != nil {
		return cb, err
	}
	for _, it := range opened {
		if it.row.status == yaqaza.StatusNew {
			it.receipt.Opened = it.row.priority
		}
	}
	if err := db.insertReports(ctx, tx, fresh); err != nil {
		return cb, err
	}
	if err := db.updateJoined(ctx, tx, joined, joinOrder); err != nil {
		return cb, err
	}
	if err := db.intakeTimeline(ctx, tx, fresh); err != nil {
		return cb, err
	}
	for _, it := range batch {
		if it.sameAs != nil {
			it.replay(it.sameAs.receipt)
			it.stored = withJoin(it.sameAs)
		}
	}
	return cb, nil
}

// joinUpdate gathers what a batch adds to one open incident.
type joinUpdate struct {
	reports int
	last    *intakeItem
	out     yaqaza.ClusterOutcome
	raised  bool
}

func (u *joinUpdate) add(it *intakeItem, out yaqaza.ClusterOutcome) {
	u.reports++
	u.last = it
	u.out = out // the clusterer's view after the latest report
	u.raised = u.raised || out.Raised
}

// openIncidents inserts the incidents that reports of the batch open.
func (db *DB) openIncidents(ctx context.Context, tx *sql.Tx, opened []*intakeItem) error {
	_, err := db.execBulk(ctx, tx, bulkInsertIncidents, len(opened), func(i int) []any {
		it := opened[i]
		at := toMillis(it.receivedAt)
		v := &it.row
		plan := db.plan(followup.State{Priority: v.priority, Status: v.status, CreatedAt: it.receivedAt})
		return []any{it.receipt.IncidentID, v.status, v.category, int(v.priority), v.priorityWhy, v.categoryWhy,
			nullString(v.zone), v.lat, v.lon, it.summary, ownerOf(v.zone), v.attention, v.attentionOf,
			v.flags, nullString(v.reason), nullString(v.public), 1, v.version, at, at,
			nullString(string(plan.Stage)), planDue(plan), nullMillis(plan.Timer)}
	})
	return err
}

// incidentRow is what a new incident starts with.
type incidentRow struct {
	status                          yaqaza.Status
	category, categoryWhy, zone     string
	priority                        yaqaza.Priority
	priorityWhy, attentionOf, flags string
	attention                       float64
	lat, lon                        sql.NullFloat64
	reason, public                  string
	version                         int
}

func incidentValues(it *intakeItem) incidentRow {
	v := incidentRow{status: yaqaza.StatusNew, priority: yaqaza.P3, priorityWhy: "P3: not triaged", version: 1}
	a := it.assessment
	if a == nil {
		return v
	}
	v.category, v.categoryWhy, v.zone = a.Category, a.CategoryWhy, a.ZoneCode
	v.lat, v.lon = pointColumns(a.Location)
	v.priority, v.priorityWhy = a.Priority, a.PriorityWhy
	v.flags = strings.Join(a.Flags, ",")
	if o := it.outcome; o != nil {
		v.priority, v.priorityWhy, v.attention, v.attentionOf = o.Priority, o.PriorityWhy, o.Attention, o.AttentionOf
	}
	if !v.priority.Valid() {
		v.priority = yaqaza.P4
	}
	if a.NotPolice {
		// Kept and answered: closed at once, with a reason the reporter reads.
		v.status, v.version = yaqaza.StatusCancelled, 2
		v.reason = "not a police matter (" + a.RelevanceWhy + ")"
		v.public = notPoliceMessage(it.in.Language, a.Language)
	}
	return v
}

// insertReports writes the reports of the batch, each with its incident.
func (db *DB) insertReports(ctx context.Context, tx *sql.Tx, fresh []*intakeItem) error {
	// Contact details and media are sealed here, where the report's id —
	// which the seal is bound to — is known.
	sealed := make([][2]sql.NullString, len(fresh))
	for i, it := range fresh {
		var err error
		if sealed[i][0], err = db.sealColumn(it.media, reportAAD("media", it.receipt.ReportID)); err != nil {
			return err
		}
		if sealed[i][1], err = db.sealColumn(it.reporter, reportAAD("reporter", it.receipt.ReportID)); err != nil {
			return err
		}
	}
	n, err := db.execBulk(ctx, tx, bulkInsertReports, len(fresh), func(i int) []any {
		it := fresh[i]
		in := it.in
		lat, lon := pointColumns(in.Location)
		return []any{it.receipt.ReportID, it.receipt.IncidentID, in.Channel, nullString(in.ExternalID),
			nullString(in.IdempotencyKey), it.requestHash, in.Text, nullString(in.Language), lat, lon, nullString(in.Place),
			sealed[i][0], sealed[i][1], it.source, nullMillis(in.OccurredAt), toMillis(it.receivedAt), it.actor.ID, withJoin(it)}
	})
	if err != nil {
		return err
	}
	if n != int64(len(fresh)) {
		return errRetryBatch
	}
	return nil
}

// withJoin is the stored assessment, with the join the clusterer decided.
func withJoin(it *intakeItem) sql.NullString {
	j := it.assessJSON
	if !j.Valid || it.outcome == nil || it.outcome.Join == nil || !strings.HasSuffix(j.String, "}") {
		return j
	}
	b, err := json.Marshal(it.outcome.Join)
	if err != nil {
		return j
	}
	sep := ","
	if j.String == "{}" {
		sep = ""
	}
	return sql.NullString{String: strings.TrimSuffix(j.String, "}") + sep + `"join":` + string(b) + "}", Valid: true}
}

// updateJoined adds the batch's reports to the open incidents they joined:
// count, attention and, when attention raised it, priority. An incident
// closed since the clusterer last heard of it refuses them: the batch is
// written again without it.
func (db *DB) updateJoined(ctx context.Context, tx *sql.Tx, joined map[int64]*joinUpdate, order []int64) error {
	for _, id := range order {
		u := joined[id]
		query, args := sqlUpdateJoined, []any{u.reports, u.out.Attention, u.out.AttentionOf, toMillis(u.last.receivedAt)}
		if u.raised {
			query = sqlUpdateJoinedRaised[db.Dialect]
			args = append(args, int(u.out.Priority), u.out.PriorityWhy)
		}
		st, err := db.stmt(ctx, tx, query)
		if err != nil {
			return err
		}
		res, err := st.ExecContext(ctx, append(args, id)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			db.clusterer.Forget(id)
			return errRetryBatch
		}
	}
	return nil
}

// The updates of an open incident that reports of a batch joined, the
// second when their attention raised its priority (SQLite's two-argument
// min is PostgreSQL's least). Both are prepared once: joins are frequent.
const joinedSet = `UPDATE incidents SET report_count = report_count + ?, attention = ?, attention_summary = ?,
	version = version + 1, updated_at = ?`

const joinedWhere = ` WHERE id = ? AND status IN ('new', 'triaged', 'dispatched', 'en_route', 'on_scene', 'resolved')`

var (
	sqlUpdateJoined       = joinedSet + joinedWhere
	sqlUpdateJoinedRaised = map[Dialect]string{
		SQLite:   joinedSet + `, priority = min(priority, ?), priority_reason = ?` + joinedWhere,
		Postgres: joinedSet + `, priority = least(priority, ?), priority_reason = ?` + joinedWhere,
	}
)

// intakeTimeline records the batch on the incidents' timelines: an incident
// opened (and closed at once when not a police matter), a report attached
// and why, a priority raised by attention.
func (db *DB) intakeTimeline(ctx context.Context, tx *sql.Tx, fresh []*intakeItem) error {
	var rows [][]any
	var recs []auditRecord // each timeline row is also a line of the audit trail
	add := func(it *intakeItem, actor *yaqaza.Actor, row ...any) {
		rows = append(rows, row)
		recs = append(recs, auditRecord{actor: actor, action: row[4].(string), object: object("incident", it.receipt.IncidentID),
			zone: row[11].(sql.NullString).String, detail: row[9].(string), remote: it.remote})
	}
	triage := yaqaza.System("triage")
	for _, it := range fresh {
		at := toMillis(it.receivedAt)
		id, rid := it.receipt.IncidentID, it.receipt.ReportID
		if o := it.outcome; o != nil && o.Join != nil {
			zone := nullString(o.Zone)
			add(it, it.actor, id, at, it.actor.ID, it.actor.Name, yaqaza.EventReportAttached, nil, nil, rid, nil,
				"joined: "+o.Join.Reason, nil, zone)
			if o.Raised {
				add(it, triage, id, at, triage.ID, triage.Name, yaqaza.EventPriorityChanged, nil, nil, rid, nil,
					o.PriorityWhy, nil, zone)
			}
			continue
		}
		v := &it.row
		zone := nullString(v.zone)
		add(it, it.actor, id, at, it.actor.ID, it.actor.Name, yaqaza.EventIncidentCreated, nil, yaqaza.StatusNew, rid, nil,
			"opened from a "+string(it.in.Channel)+" report", nil, zone)
		if a := it.assessment; a != nil && a.NotPolice {
			add(it, triage, id, at, triage.ID, triage.Name, yaqaza.EventStatusChanged, yaqaza.StatusNew,
				yaqaza.StatusCancelled, rid, nil, v.reason, v.public, zone)
		}
	}
	if _, err := db.execBulk(ctx, tx, bulkInsertTimeline, len(rows), func(i int) []any { return rows[i] }); err != nil {
		return err
	}
	return db.audit(ctx, tx, fresh[0].receivedAt, recs...)
}

// findPriors gives every item already stored its first receipt: by
// idempotency key when it has one, else (or when the key is new) by channel
// and external id.
func (db *DB) findPriors(ctx context.Context, tx *sql.Tx, batch []*intakeItem) error {
	var keys []any
	byKey := map[string][]*intakeItem{}
	for _, it := range batch {
		if k := it.in.IdempotencyKey; k != "" {
			if byKey[k] == nil {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], it)
		}
	}
	err := db.queryIn(ctx, tx, bulkPriorByKey, keys, func(rows *sql.Rows) error {
		var key, hash string
		var r yaqaza.Receipt
		var at int64
		var assessment sql.NullString
		if err := rows.Scan(&key, &r.ReportID, &r.IncidentID, &at, &hash, &assessment); err != nil {
			return err
		}
		r.ReceivedAt = fromMillis(at)
		r.TrackingCode = db.codes.Code(r.ReportID)
		for _, it := range byKey[key] {
			if hash != it.requestHash {
				it.err = yaqaza.Errorf(yaqaza.ECONFLICT, "Idempotency-Key %q was already used for a different report (report %d)", key, r.ReportID)
				continue
			}
			it.replay(&r)
			it.stored = assessment
		}
		return nil
	})
	if err != nil {
		return err
	}
	var exts []any
	byExt := map[string][]*intakeItem{}
	for _, it := range batch {
		if e := it.in.ExternalID; e != "" && it.receipt == nil && it.err == nil {
			if len(byExt[e]) == 0 {
				exts = append(exts, e)
			}
			byExt[e] = append(byExt[e], it)
		}
	}
	return db.queryIn(ctx, tx, bulkPriorByExternal, exts, func(rows *sql.Rows) error {
		var channel, ext string
		var r yaqaza.Receipt
		var at int64
		var assessment sql.NullString
		if err := rows.Scan(&channel, &ext, &r.ReportID, &r.IncidentID, &at, &assessment); err != nil {
			return err
		}
		r.ReceivedAt = fromMillis(at)
		r.TrackingCode = db.codes.Code(r.ReportID)
		for _, it := range byExt[ext] {
			if string(it.in.Channel) == channel {
				it.replay(&r)
				it.stored = assessment
			}
		}
		return nil
	})
}

// markRepeats links items that repeat an earlier item of the same batch
// (same key, or same channel and external id) to it, and returns the items
// to insert.
func markRepeats(batch []*intakeItem) []*intakeItem {
	var fresh []*intakeItem
	firstByKey := map[string]*intakeItem{}
	firstByExt := map[string]*intakeItem{}
	for _, it := range batch {
		if it.receipt != nil || it.err != nil {
			continue
		}
		in := it.in
		if k := in.IdempotencyKey; k != "" {
			if first := firstByKey[k]; first != nil {
				if first.requestHash != it.requestHash {
					it.err = yaqaza.Errorf(yaqaza.ECONFLICT, "Idempotency-Key %q was already used for a different report", k)
				} else {
					it.sameAs = first
				}
				continue
			}
		}
		ext := string(in.Channel) + "\x00" + in.ExternalID
		if in.ExternalID != "" {
			if first := firstByExt[ext]; first != nil {
				it.sameAs = first
				continue
			}
		}
		if k := in.IdempotencyKey; k != "" {
			firstByKey[k] = it
		}
		if in.ExternalID != "" {
			firstByExt[ext] = it
		}
		fresh = append(fresh, it)
	}
	return fresh
}

// allocateIDs reserves n ids of a table for rows the batch will insert.
// SQLite's writer holds the database lock for the whole transaction, so
// counting on from the highest id is safe (rows are never deleted);
// PostgreSQL draws them from the table's identity sequence.
func (db *DB) allocateIDs(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if db.Dialect == Postgres {
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT nextval(pg_get_serial_sequence('%s', 'id')) FROM generate_series(1, $1)`, table), n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	st, err := db.stmt(ctx, tx, maxIDQuery[table])
	if err != nil {
		return nil, err
	}
	var last int64
	if err := st.QueryRowContext(ctx).Scan(&last); err != nil {
		return nil, err
	}
	for i := 1; i <= n; i++ {
		ids = append(ids, last+int64(i))
	}
	return ids, nil
}

func pointColumns(p *yaqaza.Point) (lat, lon sql.NullFloat64) {
	if p == nil {
		return
	}
	return sql.NullFloat64{Float64: p.Lat, Valid: true}, sql.NullFloat64{Float64: p.Lon, Valid: true}
}
