package console

import (
	"regexp"
	"strings"
)

// Triage explains its decisions in short English phrases, kept as written
// in the store and the API ("P1: bladed weapon mentioned; 214 reposts in
// 20 min", "words: سرقوا"). The console says them in the reader's
// language: each phrase triage writes has a catalog entry, the words it
// quotes from a report stay as the reporter wrote them, and a phrase the
// console does not know is shown as it is.

// fixedReasons are triage's phrases without values, by catalog key.
var fixedReasons = map[string]string{
	"firearm mentioned":           "reason.firearm",
	"bladed weapon mentioned":     "reason.blade",
	"injury mentioned":            "reason.injury",
	"a child is involved":         "reason.child",
	"happening now":               "reason.now",
	"at night":                    "reason.night",
	"no category":                 "reason.nocategory",
	"no category word":            "reason.nocategoryword",
	"no incident word":            "reason.noincidentword",
	"not triaged":                 "reason.nottriaged",
	"point in zone":               "reason.pointinzone",
	"point outside every zone":    "reason.pointoutside",
	"no point and no known place": "reason.noplace",
}

// Phrases with values: the value is kept (words, cues, figures) or
// translated (a category's name).
var (
	reasonPrefixed = []struct{ prefix, key string }{
		{"words: ", "reason.words"},
		{"cues: ", "reason.cues"},
		{"not a police matter: ", "reason.notpolice"},
		{"place named: ", "reason.placenamed"},
		{"relevance model ", "reason.model"},
	}
	reasonAttention = regexp.MustCompile(`^(\d+) reposts(?: in (.+))?$`)
	reasonViews     = regexp.MustCompile(`^(\S+) views$`)
	reasonSources   = regexp.MustCompile(`^(\d+) sources$`)
	reasonPriority  = regexp.MustCompile(`^(P[1-4]): (.*)$`)
)

// Reason is a triage explanation in the page's language.
func (p *Page) Reason(s string) string {
	prio := ""
	if m := reasonPriority.FindStringSubmatch(s); m != nil {
		prio, s = m[1], m[2]
	}
	var parts []string
	for _, part := range strings.Split(s, "; ") {
		parts = append(parts, p.reasonPart(part))
	}
	out := strings.Join(parts, p.T("reason.sep"))
	if prio != "" {
		return p.T("reason.priority", prio, out)
	}
	return out
}

// reasonPart translates one phrase; "cues: …; no category word" and
// attention summaries ("214 reposts in 20 min, 12 sources") are lists
// of phrases themselves.
func (p *Page) reasonPart(part string) string {
	if key, ok := fixedReasons[part]; ok {
		return p.T(key)
	}
	if rest, ok := strings.CutPrefix(part, "category "); ok {
		if pack := p.c.cachedPack(); pack != nil {
			return p.T("reason.category", pack.category(rest, p.Lang))
		}
		return p.T("reason.category", rest)
	}
	for _, r := range reasonPrefixed {
		if rest, ok := strings.CutPrefix(part, r.prefix); ok {
			return p.T(r.key, rest)
		}
	}
	if strings.Contains(part, " reposts") || strings.HasSuffix(part, " views") || strings.HasSuffix(part, " sources") {
		var out []string
		for _, a := range strings.Split(part, ", ") {
			switch m := []*regexp.Regexp{reasonAttention, reasonViews, reasonSources}; {
			case m[0].MatchString(a):
				g := m[0].FindStringSubmatch(a)
				if g[2] != "" {
					out = append(out, p.T("reason.reposts.in", g[1], g[2]))
				} else {
					out = append(out, p.T("reason.reposts", g[1]))
				}
			case m[1].MatchString(a):
				out = append(out, p.T("reason.views", m[1].FindStringSubmatch(a)[1]))
			case m[2].MatchString(a):
				out = append(out, p.T("reason.sources", m[2].FindStringSubmatch(a)[1]))
			default:
				out = append(out, a)
			}
		}
		return strings.Join(out, p.T("reason.listsep"))
	}
	return part
}
