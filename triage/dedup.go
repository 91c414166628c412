package triage

// Duplicate clustering: a report joins an open incident when it carries the
// same media or link, when its text is (nearly) the text of a report of that
// incident, or when it is of a compatible category, in the same zone, close
// in time and space. This file computes what is kept of a report
// (Fingerprint); dedup_index.go holds the open incidents' fingerprints,
// dedup_postings.go its inverted index of shingles, and dedup_rules.go
// finds the incident a new report belongs to, and says why.
//
// Text is compared as a set of word 3-shingles (three consecutive normalised
// words, hashed to 32 bits). A re-post keeps long runs of the original's
// words, so it keeps most of its shingles, whatever is added before or after
// it or cut off its end; two texts that merely share a topic ("bagarre",
// "شجار", "the boston marathon") share few shingles, and the index discounts
// the shingles that many open incidents have in common.

import (
	"slices"
	"strings"

	"github.com/yaqaza/yaqaza"
)

const (
	// dupSketch is how many shingle hashes a fingerprint keeps: all of them
	// for a text of up to dupSketch+2 words (almost every post, call and
	// web complaint), the dupSketch smallest for a longer one (a bottom-k
	// sample, from which the index estimates the share of words).
	dupSketch = 32
	// dupMinWords is the fewest words a text needs to have shingles at all:
	// "الله يحفظ" or "bagarre!!" must never join on text. To join, a text
	// needs more (DupOptions.MinShared shingles, 5 words by default).
	dupMinWords = 4
	// dupMaxMedia bounds the media and link keys of one fingerprint.
	dupMaxMedia = 32
)

// Fingerprint is what duplicate detection keeps of a report: a sample of the
// hashes of its text's word 3-shingles, and the keys of its media (sha256)
// and links (media, source and in-text URLs, normalised). It is a value;
// its zero value is the fingerprint of a report with no usable text, media
// or link.
type Fingerprint struct {
	shingles []uint32 // ascending; the bottom dupSketch of the text's distinct shingle hashes
	total    int32    // distinct shingles of the whole text
	words    int32    // words of the text, re-post markers ("RT") left out
	media    []dupMediaKey
}

// dupMediaKey is one media hash or link, hashed, with what is needed to say so.
type dupMediaKey struct {
	key    uint64
	origin byte   // 'h' media sha256, 'm' media URL, 's' source URL, 't' URL in the text
	kind   string // the media kind for 'h' and 'm': image, video, audio, document or ""
	raw    string // the sha256 or the URL as received, for the reason
}

// Empty reports whether the fingerprint can match nothing by text or media.
func (fp Fingerprint) Empty() bool { return len(fp.shingles) == 0 && len(fp.media) == 0 }

// Words is the number of words of the text, re-post markers left out.
func (fp Fingerprint) Words() int { return int(fp.words) }

// FingerprintOf computes a report's fingerprint from its normalised text,
// its media references and the URLs found in or attached to it (sourceURL
// is the post or article the report was taken from, if any).
func FingerprintOf(n Normalised, media []yaqaza.Media, sourceURL string) Fingerprint {
	var fp Fingerprint
	var buf [64]uint64
	words := buf[:0]
	for _, t := range n.Tokens {
		if t == "rt" { // "RT @user:" — the mention is already gone
			continue
		}
		words = append(words, dupHash(t))
	}
	fp.words = int32(len(words))
	if len(words) >= dupMinWords {
		sh := make([]uint32, 0, len(words)-2)
		for i := 2; i < len(words); i++ {
			sh = append(sh, dupShingle(words[i-2], words[i-1], words[i]))
		}
		slices.Sort(sh)
		sh = slices.Compact(sh)
		fp.total = int32(len(sh))
		if len(sh) > dupSketch {
			sh = append([]uint32(nil), sh[:dupSketch]...)
		} else {
			sh = slices.Clip(sh)
		}
		fp.shingles = sh
	}

	for _, m := range media {
		if h := strings.ToLower(strings.TrimSpace(m.SHA256)); h != "" {
			fp.addMedia(dupMediaKey{key: dupHash("sha256:" + h), origin: 'h', kind: m.Kind, raw: m.SHA256})
		}
		if k, ok := dupURLKey(m.URL); ok {
			fp.addMedia(dupMediaKey{key: k, origin: 'm', kind: m.Kind, raw: m.URL})
		}
	}
	if k, ok := dupURLKey(sourceURL); ok {
		fp.addMedia(dupMediaKey{key: k, origin: 's', raw: sourceURL})
	}
	for _, u := range n.URLs {
		if k, ok := dupURLKey(u); ok {
			fp.addMedia(dupMediaKey{key: k, origin: 't', raw: u})
		}
	}
	return fp
}

func (fp *Fingerprint) addMedia(k dupMediaKey) {
	if len(fp.media) >= dupMaxMedia {
		return
	}
	for _, m := range fp.media {
		if m.key == k.key {
			return
		}
	}
	fp.media = append(fp.media, k)
}

// dupURLKey is the hash of a URL in a canonical form, so that the same page
// linked from a phone, with tracking parameters or through another host
// name of the same site gives the same key. A link to a site's home page,
// and a URL cut short ("https://t.co/eLV…"), give none: they say nothing
// about which event a report is about.
func dupURLKey(raw string) (uint64, bool) {
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > yaqaza.MaxURLLen || strings.HasSuffix(s, "…") || strings.HasSuffix(s, "...") {
		return 0, false
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "https://"):
		s = s[8:]
	case strings.HasPrefix(lower, "http://"):
		s = s[7:]
	case strings.HasPrefix(lower, "www."):
	default:
		return 0, false
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	hostEnd := strings.IndexAny(s, "/?")
	if hostEnd < 0 {
		hostEnd = len(s)
	}
	host := strings.ToLower(s[:hostEnd])
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	host = strings.TrimSuffix(strings.TrimSuffix(host, ":443"), ":80")
	for _, p := range []string{"www.", "m.", "mobile.", "web."} {
		host = strings.TrimPrefix(host, p)
	}
	if host == "" {
		return 0, false
	}
	rest := s[hostEnd:]
	path, query, _ := strings.Cut(rest, "?")
	path = strings.TrimRight(path, "/")
	switch host {
	case "x.com":
		host = "twitter.com"
	case "youtu.be":
		if path != "" {
			query, path, host = "v="+path[1:], "/watch", "youtube.com"
		}
	case "youtube.com":
		if id, ok := strings.CutPrefix(path, "/shorts/"); ok {
			query, path = "v="+id, "/watch"
		}
	}
	var params []string
	for p := range strings.SplitSeq(query, "&") {
		name, _, _ := strings.Cut(p, "=")
		if p == "" || dupTrackingParam(strings.ToLower(name)) {
			continue
		}
		params = append(params, p)
	}
	if path == "" && len(params) == 0 {
		return 0, false
	}
	slices.Sort(params)
	h := dupHash(host)
	h = dupMix(h*dupPrime1 ^ dupHash(path))
	for _, p := range params {
		h = dupMix(h*dupPrime1 ^ dupHash(p))
	}
	return dupMix(h ^ 0x75726c), true // "url"
}

// dupTrackingParam reports query parameters that say who shared a link or how,
// not what it links to.
func dupTrackingParam(name string) bool {
	if strings.HasPrefix(name, "utm_") {
		return true
	}
	switch name {
	case "fbclid", "gclid", "igshid", "igsh", "mibextid", "si", "s", "t", "ref", "ref_src", "ref_url",
		"feature", "share", "sharer", "rdid", "app", "from", "src", "_rdr", "_rdc", "__tn__", "__cft__[0]":
		return true
	}
	return false
}

// describe is what a reason says of the media key that matched: what is
// the same, and the evidence.
func (k dupMediaKey) describe() (what, evidence string) {
	switch k.origin {
	case 'h':
		h := strings.ToLower(k.raw)
		if len(h) > 8 {
			h = h[:8] + "…"
		}
		return "same " + dupMediaNoun(k.kind), "sha256 " + h
	case 'm':
		return "same " + dupMediaNoun(k.kind), dupShortURL(k.raw)
	case 's':
		return "same source post", dupShortURL(k.raw)
	}
	return "same link", dupShortURL(k.raw)
}

func dupMediaNoun(kind string) string {
	switch kind {
	case "image":
		return "photo"
	case "video", "audio", "document":
		return kind
	}
	return "media"
}

// dupShortURL is a URL without its scheme, cut to fit a reason.
func dupShortURL(u string) string {
	for _, p := range []string{"https://", "http://", "HTTPS://", "HTTP://"} {
		u = strings.TrimPrefix(u, p)
	}
	u = strings.TrimPrefix(u, "www.")
	const maxLen = 48
	if len(u) > maxLen {
		n := maxLen
		for n > 0 && u[n]&0xC0 == 0x80 {
			n--
		}
		u = u[:n] + "…"
	}
	return u
}

// The hashes are fixed functions (FNV-1a with a splitmix64 finaliser), not
// seeded per process: the same reports give the same clusters on every run
// and every node.
const (
	dupPrime1 = 0x9E3779B97F4A7C15
	dupPrime2 = 0xC2B2AE3D27D4EB4F
)

func dupHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return dupMix(h)
}

func dupMix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}

// dupShingle hashes three consecutive words, in order.
func dupShingle(a, b, c uint64) uint32 {
	h := dupMix(a*dupPrime1 + b)
	h = dupMix(h*dupPrime2 + c)
	return uint32(h >> 32)
}
