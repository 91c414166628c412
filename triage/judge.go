package triage

import (
	"sort"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// Judgement is what the words of a report say: whether it is about an
// incident, which category, which cues.
type Judgement struct {
	Relevant     bool
	RelevanceWhy string
	NotPolice    bool
	Category     string
	CategoryWhy  string
	Unsure       bool
	Cues         []string
}

// Categories a brandished weapon turns into "armed": a fight with knives is
// an armed incident. A robbery at knife point stays a robbery and a gang
// posing with swords a gang: the weapon raises their priority instead.
var armedWhenWeapon = map[string]bool{"assault": true, "public_disorder": true, "": true}

// judge weighs the lexicon's hits, and a trained model's opinion when there
// is one, into a judgement. Negated hits ("ما كاين حتى شي مجروح") count for
// nothing.
func (t *Triage) judge(tokens []string, hits []Hit) Judgement {
	var j Judgement
	score := map[string]float64{}
	words := map[string][]string{}
	cues := map[string]bool{}
	var notPolice []string
	for _, h := range hits {
		if h.Negated {
			continue
		}
		switch {
		case h.Kind == "category":
			w := 1.0
			if strings.ContainsRune(strings.TrimSpace(h.Term), ' ') {
				w = 1.5 // a phrase ("ضرب وجرح") is surer than a word
			}
			score[h.Name] += w
			words[h.Name] = appendOnce(words[h.Name], h.Term)
		case h.Name == yaqaza.CueNotPolice:
			notPolice = appendOnce(notPolice, h.Term)
		default:
			cues[h.Name] = true
		}
	}
	weapon := cues[yaqaza.CueBlade] || cues[yaqaza.CueFirearm]
	if t.category != nil {
		if p := t.category.Best(tokens); p.Label != "none" && p.Probability >= 0.5 {
			score[p.Label] += 2 * p.Probability
			words[p.Label] = append(words[p.Label], "model "+percent(p.Probability))
		}
	}
	best := ""
	for c, s := range score {
		if best == "" || s > score[best] || s == score[best] && t.severity(c) < t.severity(best) || s == score[best] && t.severity(c) == t.severity(best) && c < best {
			best = c
		}
	}
	if weapon && armedWhenWeapon[best] && t.known("armed") {
		if best != "" {
			words["armed"] = append(words["armed"], words[best]...)
		}
		best = "armed"
		for c := range cues {
			if c == yaqaza.CueBlade || c == yaqaza.CueFirearm {
				words["armed"] = appendOnce(words["armed"], strings.ReplaceAll(c, "_", " "))
			}
		}
	}
	for c := range cues {
		j.Cues = append(j.Cues, c)
	}
	sort.Strings(j.Cues)
	switch {
	case best != "":
		j.Relevant = true
		j.Category = best
		j.CategoryWhy = "words: " + strings.Join(words[best], ", ")
		j.RelevanceWhy = j.CategoryWhy
		j.Unsure = score[best] < 1 && !weapon
	case cues[yaqaza.CueInjury] || weapon:
		j.Relevant, j.Category, j.Unsure = true, "other", true
		j.RelevanceWhy = "cues: " + strings.Join(j.Cues, ", ")
		j.CategoryWhy = "no category word; " + j.RelevanceWhy
	case len(notPolice) > 0:
		j.NotPolice = true
		j.RelevanceWhy = "not a police matter: " + strings.Join(notPolice, ", ")
	default:
		j.RelevanceWhy = "no incident word"
	}
	if t.relevance != nil && !j.Relevant && !j.NotPolice {
		if p := t.relevance.Best(tokens); p.Label == "incident" && p.Probability >= 0.6 {
			j.Relevant, j.Category, j.Unsure = true, "other", true
			j.RelevanceWhy = "relevance model " + percent(p.Probability)
			j.CategoryWhy = "no category word"
		}
	}
	return j
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// severity is a category's priority in the pack (P4 when unknown), to break ties.
func (t *Triage) severity(category string) yaqaza.Priority {
	if c, ok := t.categories[category]; ok && c.Priority.Valid() {
		return c.Priority
	}
	return yaqaza.P4
}

func (t *Triage) known(category string) bool {
	_, ok := t.categories[category]
	return ok
}
