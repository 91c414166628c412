package triage

import (
	"math"
	"time"

	"github.com/yaqaza/yaqaza"
)

// Attention is how much public attention an incident draws: how many
// distinct sources report it, how far its posts travel, and how fast.
type Attention struct {
	Reports  int
	Sources  int // distinct authors and callers
	Reposts  int64
	Shares   int64
	Views    int64
	Comments int64
	Likes    int64
	First    time.Time
	Last     time.Time
	seen     map[string]bool // source keys, to count Sources
}

// Add counts one more report. Engagement figures of a post are the post's
// own; re-posts count as reports of their own.
func (a *Attention) Add(ch yaqaza.Channel, src *yaqaza.Source, at time.Time) {
	if a.Reports == 0 || at.Before(a.First) {
		a.First = at
	}
	if at.After(a.Last) {
		a.Last = at
	}
	a.Reports++
	key := string(ch)
	if src != nil {
		a.Reposts += src.Reposts
		a.Shares += src.Shares
		a.Views += src.Views
		a.Comments += src.Comments
		a.Likes += src.Likes
		if src.AuthorPseudonym != "" {
			key += ":" + src.AuthorPseudonym
		} else if src.URL != "" {
			key += ":" + src.URL
		}
	}
	if ch == yaqaza.ChannelCall || ch == yaqaza.ChannelWeb || ch == yaqaza.ChannelField {
		key += ":" + itoa(a.Reports) // each caller is a source of their own
	}
	if a.seen == nil {
		a.seen = map[string]bool{}
	}
	if !a.seen[key] {
		a.seen[key] = true
		a.Sources++
	}
}

// Score is 0 to 100. A single call scores about 5; ten sources and two
// hundred re-posts within twenty minutes about 70; a video seen a million
// times, shared thousands of times, over 90. Logarithms, because attention
// grows by orders of magnitude; speed counts, because a post that spreads
// in minutes needs an answer before the evening news.
func (a *Attention) Score() float64 {
	if a.Reports == 0 {
		return 0
	}
	spread := float64(a.Reposts + a.Shares + int64(a.Reports-1))
	s := 18*math.Log10(1+float64(a.Sources)) +
		14*math.Log10(1+spread) +
		6*math.Log10(1+float64(a.Views)/100) +
		6*math.Log10(1+float64(a.Comments+a.Likes/10))
	// Growth: the same spread in twenty minutes counts more than in a day.
	minutes := a.Last.Sub(a.First).Minutes()
	if spread >= 20 && minutes < 120 {
		s += 10 * (1 - minutes/120)
	}
	return math.Min(100, math.Round(s*10)/10)
}

// Summary says it in a few words: "214 reposts in 20 min, 12 sources".
func (a *Attention) Summary() string {
	if a.Reports == 0 {
		return ""
	}
	spread := a.Reposts + a.Shares + int64(a.Reports-1)
	var s string
	if spread > 0 {
		s = itoa(int(spread)) + " reposts"
		if d := a.Last.Sub(a.First); d >= time.Minute {
			s += " in " + durationWords(d)
		}
	}
	if a.Views >= 1000 {
		s = join(s, compact(a.Views)+" views")
	}
	if a.Sources > 1 {
		s = join(s, itoa(a.Sources)+" sources")
	}
	return s
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

func durationWords(d time.Duration) string {
	switch {
	case d < time.Minute:
		return itoa(int(d.Seconds())) + " s"
	case d < 2*time.Hour:
		return itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		return itoa(int(d.Hours())) + " h"
	}
	return itoa(int(d.Hours()/24)) + " days"
}

func compact(n int64) string {
	switch {
	case n >= 1_000_000:
		return itoa(int(n/100_000)/10) + "." + itoa(int(n/100_000)%10) + "M"
	case n >= 1000:
		return itoa(int(n/1000)) + "k"
	}
	return itoa(int(n))
}
