package console

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Languages the console speaks, in the order the switcher shows them.
var Languages = []string{"ar", "fr", "en"}

//go:embed i18n/*.json
var catalogFiles embed.FS

// catalog holds every label and message by key, in each language. Each
// area of the console keeps its own file (i18n/<area>.json) of
// {"key": {"ar": "…", "fr": "…", "en": "…"}}; a key defined twice, or
// missing a language, is refused at start.
type catalog map[string]map[string]string

func loadCatalog() (catalog, error) {
	c := catalog{}
	err := fs.WalkDir(catalogFiles, "i18n", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := catalogFiles.ReadFile(path)
		if err != nil {
			return err
		}
		var part catalog
		if err := json.Unmarshal(b, &part); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for key, byLang := range part {
			if _, dup := c[key]; dup {
				return fmt.Errorf("%s: key %q is defined in another file too", path, key)
			}
			for _, l := range Languages {
				if strings.TrimSpace(byLang[l]) == "" {
					return fmt.Errorf("%s: key %q has no %s text", path, key, l)
				}
			}
			c[key] = byLang
		}
		return nil
	})
	return c, err
}

// text is a key's text in lang, formatted with args; a missing key shows
// itself, so that it is seen and fixed rather than silently blank.
func (c catalog) text(lang, key string, args ...any) string {
	t, ok := c[key][lang]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if len(args) > 0 {
		return fmt.Sprintf(t, args...)
	}
	return t
}

// langOf is the language of a request: ?lang=, then the remembered
// choice, then the browser's, then Arabic.
func langOf(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); valid(l) {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && valid(c.Value) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if valid(base) {
			return base
		}
	}
	return "ar"
}

func valid(l string) bool { return l == "ar" || l == "fr" || l == "en" }

// dir is the writing direction of a language.
func dir(lang string) string {
	if lang == "ar" {
		return "rtl"
	}
	return "ltr"
}

// Moroccan usage: Western digits in Arabic text too, as on official documents.
var printers = map[string]*message.Printer{
	"ar": message.NewPrinter(language.MustParse("ar-MA")),
	"fr": message.NewPrinter(language.French),
	"en": message.NewPrinter(language.English),
}

// number writes n with the language's grouping.
func number(lang string, n any) string { return printers[lang].Sprintf("%v", n) }

var monthKeys = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// when writes a time in the jurisdiction's zone: "28 nov. 14:05".
func (c catalog) when(lang string, loc *time.Location, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	return fmt.Sprintf("%d %s %02d:%02d", t.Day(), c.text(lang, "month."+monthKeys[t.Month()-1]), t.Hour(), t.Minute())
}

// span writes a duration for people: "3 min", "2 h 05".
func (c catalog) span(lang string, d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = c.text(lang, "span.seconds", int(d.Seconds()))
	case d < time.Hour:
		s = c.text(lang, "span.minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		s = c.text(lang, "span.hours", int(d.Hours()), int(d.Minutes())%60)
	default:
		s = c.text(lang, "span.days", int(d.Hours()/24))
	}
	if neg {
		return c.text(lang, "span.late", s)
	}
	return s
}
