package sqlstore

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/triage"
)

// SuggestService implements yaqaza.SuggestService: while a call-taker
// types, it proposes the open incidents of the last two hours that the
// call may be about. It runs on keystrokes, so it reads only recent open
// incidents, through the incident service, so that zone scope and views
// hold as everywhere else; it writes nothing.
type SuggestService struct {
	incidents *IncidentService
	now       func() time.Time
	// assessor, when set, places the typed report (a point, or a place
	// named in the text or the place field) and guesses its category, as
	// intake would. Without it only the report's own point is used.
	assessor yaqaza.Assessor
}

var _ yaqaza.SuggestService = (*SuggestService)(nil)

// NewSuggestService returns the suggestion service. assessor may be nil;
// give it the intake's triage, so that a place typed by name counts.
func NewSuggestService(db *DB, assessor yaqaza.Assessor) *SuggestService {
	return &SuggestService{incidents: NewIncidentService(db), now: func() time.Time { return db.Now() }, assessor: assessor}
}

// What is looked at, and what counts as close.
const (
	suggestWindow   = 2 * time.Hour // incidents opened this recently
	suggestScan     = 2000          // at most this many of them, newest first
	suggestMaxK     = 20
	suggestFarM     = 2000.0           // farther than this is another event
	suggestNearM    = 400.0            // as near as intake's "nearby" rule
	suggestNearAge  = 30 * time.Minute // …and as recent
	suggestMinText  = 0.4              // share of the typed words an incident must have
	suggestMinWords = 2                // and at least this many of them
)

// SuggestIncidents implements yaqaza.SuggestService.
func (s *SuggestService) SuggestIncidents(ctx context.Context, in *yaqaza.ReportInput, k int) ([]yaqaza.Suggestion, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActReadIncidents); err != nil {
		return nil, err
	}
	if k <= 0 || k > suggestMaxK {
		return nil, yaqaza.Invalidf("k", "k must be between 1 and %d", suggestMaxK)
	}
	if in == nil || !utf8.ValidString(in.Text) || utf8.RuneCountInString(in.Text) > yaqaza.MaxTextRunes {
		return nil, yaqaza.Invalidf("text", "text must be valid text of at most %d characters", yaqaza.MaxTextRunes)
	}
	if !utf8.ValidString(in.Place) || utf8.RuneCountInString(in.Place) > yaqaza.MaxPlaceRunes {
		return nil, yaqaza.Invalidf("place", "place must be valid text of at most %d characters", yaqaza.MaxPlaceRunes)
	}
	if in.Location != nil {
		if err := in.Location.Validate("location"); err != nil {
			return nil, err
		}
	}
	q := s.query(ctx, in)
	if len(q.words) == 0 && q.point == nil {
		return []yaqaza.Suggestion{}, nil // nothing typed yet that could match
	}
	now := s.now()
	from := now.Add(-suggestWindow)
	f := yaqaza.IncidentFilter{Statuses: yaqaza.OpenStatuses(), From: &from, Limit: maxPageSize}
	var found []yaqaza.Suggestion
	for seen := 0; seen < suggestScan; {
		page, err := s.incidents.FindIncidents(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, inc := range page.Incidents {
			if sg, ok := q.judge(inc, now); ok {
				found = append(found, sg)
			}
		}
		seen += len(page.Incidents)
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Score > found[j].Score })
	if len(found) > k {
		found = found[:k]
	}
	if found == nil {
		found = []yaqaza.Suggestion{}
	}
	return found, nil
}

// suggestQuery is the typed report, prepared once for every comparison.
type suggestQuery struct {
	words    map[string]bool
	point    *yaqaza.Point
	zone     string
	category string
}

func (s *SuggestService) query(ctx context.Context, in *yaqaza.ReportInput) suggestQuery {
	// The place field counts as words too: incidents' summaries name
	// places ("devant la gare"), and a call-taker types them apart.
	q := suggestQuery{words: suggestWords(in.Text + " " + in.Place), point: in.Location}
	if s.assessor != nil && (strings.TrimSpace(in.Text) != "" || in.Location != nil) {
		if a := s.assessor.Assess(ctx, in); a != nil {
			q.zone, q.category = a.ZoneCode, a.Category
			// A zone's centre is not where the event happened.
			if q.point == nil && a.Location != nil && !a.LocationApprox {
				q.point = a.Location
			}
		}
	}
	return q
}

// judge scores an incident against the query, and says whether it is a
// suggestion at all: its words must be the typed words, or it must be of
// the same category, close by and recent, as intake's own rule has it;
// and it must not be far away.
func (q *suggestQuery) judge(inc *yaqaza.Incident, now time.Time) (yaqaza.Suggestion, bool) {
	sg := yaqaza.Suggestion{Incident: inc, DistanceM: -1, Age: max(0, now.Sub(inc.CreatedAt))}
	if q.point != nil && inc.Location != nil {
		sg.DistanceM = haversineM(*q.point, *inc.Location)
	}
	text, shared := suggestSimilarity(q.words, suggestWords(inc.Summary))
	sameZone := q.zone != "" && q.zone == inc.ZoneCode
	switch {
	case sg.DistanceM > suggestFarM:
		return sg, false
	case sg.DistanceM < 0 && q.zone != "" && inc.ZoneCode != "" && !sameZone:
		return sg, false
	}
	byText := shared >= suggestMinWords && text >= suggestMinText
	nearby := sg.DistanceM >= 0 && sg.DistanceM <= suggestNearM && sg.Age <= suggestNearAge &&
		q.category != "" && q.category != "other" && q.category == inc.Category
	if !byText && !nearby {
		return sg, false
	}
	prox := 0.2 // nothing says where either is
	switch {
	case sg.DistanceM >= 0:
		prox = 1 - sg.DistanceM/suggestFarM
	case sameZone:
		prox = 0.5
	}
	fresh := 1 - float64(sg.Age)/float64(suggestWindow)
	sg.Score = math.Round((0.6*text+0.25*prox+0.15*max(0, fresh))*1000) / 1000
	sg.Why = suggestWhy(text, byText, sg, sameZone)
	return sg, true
}

// suggestWhy is a short English line; the console writes its own from
// DistanceM and Age in the reader's language.
func suggestWhy(text float64, byText bool, sg yaqaza.Suggestion, sameZone bool) string {
	var parts []string
	switch {
	case byText && text >= 0.8:
		parts = append(parts, "same words")
	case byText:
		parts = append(parts, "similar words")
	default:
		parts = append(parts, "same category nearby")
	}
	switch {
	case sg.DistanceM >= 1000:
		parts = append(parts, strconv.FormatFloat(sg.DistanceM/1000, 'f', 1, 64)+" km")
	case sg.DistanceM >= 0:
		parts = append(parts, strconv.Itoa(int(math.Round(sg.DistanceM/10)*10))+" m")
	case sameZone:
		parts = append(parts, "same zone")
	}
	parts = append(parts, strconv.Itoa(int(sg.Age/time.Minute))+" min")
	return strings.Join(parts, ", ")
}

// haversineM is the great-circle distance in metres.
func haversineM(a, b yaqaza.Point) float64 {
	const r = 6371000
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(min(1, h)))
}

// suggestWords are a text's content words, in triage's matching form (so
// that case, accents, Arabic letter variants and Arabizi do not matter),
// with Arabic articles and Latin plurals cut off and function words left
// out. Triage's own duplicate fingerprints compare word 3-shingles, made
// for re-posts of one text; a call-taker's words are the caller's story
// told again, so single words are compared here.
func suggestWords(text string) map[string]bool {
	n := triage.Normalise(text)
	words := make(map[string]bool, len(n.Tokens))
	for _, t := range n.Tokens {
		t = suggestStem(t)
		if utf8.RuneCountInString(t) < 3 || suggestStop[t] {
			continue
		}
		words[t] = true
	}
	return words
}

// suggestStem cuts the Arabic article and its prepositions (بالسكين,
// السكين → سكين) and a Latin plural's s (couteaux stays: rare enough).
func suggestStem(t string) string {
	for _, p := range []string{"وال", "بال", "فال", "كال", "لل", "ال"} {
		if rest, ok := strings.CutPrefix(t, p); ok && utf8.RuneCountInString(rest) >= 3 {
			return rest
		}
	}
	if n := len(t); n > 4 && t[n-1] == 's' && t[0] < utf8.RuneSelf {
		return t[:n-1]
	}
	return t
}

// suggestStop are the function words of the languages reports come in;
// they would make any two texts look alike.
var suggestStop = func() map[string]bool {
	words := `les une des aux dans sur sous pour par avec sans devant derrière près côté est sont ils elle elles
		qui que quoi cet cette ces son ses mon mes ton tes leur leurs pas très plus été fait vers chez entre tout tous
		the and for with near from this that there are was were has have had not you your his her they them just now
		into onto over under some any
		على الى إلى عند قرب مع هذا هذه هذي هاد هادي هناك التي الذي الذين كان كانت كانو وقد لقد فيه فيها ديال واحد
		واحدة دابا راه راها كاين كاينة حدا قدام بين تحت فوق ولا اللي لي`
	stop := map[string]bool{}
	for _, t := range triage.Normalise(words).Tokens {
		stop[suggestStem(t)] = true
	}
	return stop
}()

// suggestSimilarity is how much of the typed words an incident's words
// hold, with a little of the reverse so that a long summary that happens
// to hold every typed word ranks below one that is the same story; and
// how many words they share.
func suggestSimilarity(q, d map[string]bool) (float64, int) {
	if len(q) == 0 || len(d) == 0 {
		return 0, 0
	}
	shared := 0
	for w := range q {
		if d[w] {
			shared++
		}
	}
	contained := float64(shared) / float64(len(q))
	dice := 2 * float64(shared) / float64(len(q)+len(d))
	return 0.75*contained + 0.25*dice, shared
}
