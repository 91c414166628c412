package yaqaza

import (
	"strings"
	"testing"
)

func TestExcerptCountsCharacters(t *testing.T) {
	ar := strings.Repeat("ب", 70)
	if got := Excerpt(ar); got != strings.Repeat("ب", 60)+"…" {
		t.Errorf("Excerpt of 70 Arabic letters: %d runes", len([]rune(got)))
	}
	if got := Excerpt("court"); got != "court" {
		t.Errorf("a short text was cut: %q", got)
	}
	if got := ClipRunes("فاس المدينة", 3); got != "فاس" {
		t.Errorf("ClipRunes: %q", got)
	}
}
