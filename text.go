package yaqaza

import "unicode/utf8"

// ClipRunes is s cut to at most n characters.
func ClipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Excerpt is s as an error message quotes it: at most 60 characters, an
// ellipsis when cut.
func Excerpt(s string) string {
	if c := ClipRunes(s, 60); c != s {
		return c + "…"
	}
	return s
}
