package console

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
)

// callDone is the confirmation of the call just saved: the tracking code
// to read out to the caller, and the incident it is on.
type callDone struct {
	ReportID   int64
	IncidentID int64
	// Code is the tracking code in its groups ("7KQM", "9XPR", "A3TD"),
	// shown apart so that it is read out group by group.
	Code   []string
	Joined bool
	// Opened says the call opened the incident itself: then triage's
	// category and priority of the call are the incident's.
	Opened   bool
	Category string
	Priority int
	// Attach is the incident the call-taker chose; Attached says the call
	// is on it, AttachErr why it is not.
	Attach    int64
	Attached  bool
	AttachErr string
}

// callReceipt is what a call's confirmation needs, kept from the receipt:
// reading the report back would read (and audit reading) the caller's
// contact details, which the confirmation does not show.
type callReceipt struct {
	code     string
	incident int64
	joined   bool
	opened   bool // the call opened the incident it is on
	attached bool // …or was attached as the call-taker chose
	category string
	priority yaqaza.Priority
	at       time.Time
}

// callReceipts are the recent receipts of each call-taker, by actor and
// report id, for the page the submission redirects to.
type callReceipts struct {
	mu sync.Mutex
	m  map[string]callReceipt
}

const (
	callReceiptTTL = 15 * time.Minute
	callReceiptMax = 2000
)

var recentCalls sync.Map // *Console → *callReceipts

func (c *Console) receipts() *callReceipts {
	v, _ := recentCalls.LoadOrStore(c, &callReceipts{m: map[string]callReceipt{}})
	return v.(*callReceipts)
}

func receiptKey(a *yaqaza.Actor, report int64) string {
	return a.ID + "/" + strconv.FormatInt(report, 10)
}

func (c *Console) rememberCall(a *yaqaza.Actor, rec *yaqaza.Receipt, incident, attach int64) {
	cr := callReceipt{code: rec.TrackingCode, incident: incident, attached: attach > 0 && incident == attach, at: time.Now()}
	if t := rec.Triage; t != nil {
		cr.joined, cr.category, cr.priority = t.Joined, t.Category, t.Priority
	}
	// A replay's receipt names where the report is now, not what it did.
	cr.opened = !rec.Replayed && !cr.joined && incident == rec.IncidentID
	rs := c.receipts()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.m) >= callReceiptMax {
		for k, v := range rs.m {
			if time.Since(v.at) > callReceiptTTL || len(rs.m) >= callReceiptMax {
				delete(rs.m, k)
			}
		}
	}
	rs.m[receiptKey(a, rec.ReportID)] = cr
}

// callDone finds the confirmation of report id: the call-taker's own
// receipt when the server still holds it, else the stored report. A
// report the actor may not see, or that does not exist, has none.
func (c *Console) callDone(r *http.Request, p *Page, id int64) (*callDone, error) {
	rs := c.receipts()
	rs.mu.Lock()
	cr, ok := rs.m[receiptKey(p.Actor, id)]
	rs.mu.Unlock()
	if !ok {
		rep, err := c.Reports.FindReportByID(r.Context(), id)
		switch yaqaza.ErrorCode(err) {
		case "":
		case yaqaza.ENOTFOUND, yaqaza.EFORBIDDEN:
			return nil, nil
		default:
			return nil, err
		}
		cr = callReceipt{code: rep.TrackingCode, incident: rep.IncidentID}
		if a := rep.Assessment; a != nil {
			cr.joined, cr.category, cr.priority = a.Join != nil, a.Category, a.Priority
		}
	}
	d := &callDone{ReportID: id, IncidentID: cr.incident, Code: strings.Split(cr.code, "-"), Joined: cr.joined,
		Opened: cr.opened, Attached: cr.attached, Priority: int(cr.priority)}
	if cr.category != "" {
		if o, err := c.opsPack(r.Context()); err == nil {
			d.Category = o.category(cr.category, p.Lang)
		}
	}
	return d, nil
}

// callAttachErrors are the reasons a call could not be attached, as the
// submission's redirect names them.
var callAttachErrors = []string{"joined", "notfound", "closed", "forbidden", "moved", "failed"}

// callAttachOutcome says whether the call is on the incident chosen for it.
func (c *Console) callAttachOutcome(p *Page, d *callDone, attach, why string) {
	n, err := strconv.ParseInt(attach, 10, 64)
	if err != nil || n <= 0 {
		return
	}
	d.Attach = n
	if slices.Contains(callAttachErrors, why) {
		d.AttachErr = p.T("call.attach.err."+why, n, d.IncidentID)
		return
	}
	d.Attached = d.Attached || d.IncidentID == n
}
