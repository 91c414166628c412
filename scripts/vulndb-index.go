//go:build ignore

// Command vulndb-index turns a folder of Go OSV entries (the data/osv
// folder of the golang.org/x/vulndb module) into a vulnerability
// database in the layout that vuln.go.dev serves and that
// `govulncheck -db file:///dir` reads:
//
//	dir/index/db.json       {"modified": <latest entry modification>}
//	dir/index/modules.json  [{"path", "vulns": [{"id", "modified", "fixed"}]}]
//	dir/index/vulns.json    [{"id", "modified", "aliases"}]
//	dir/ID/GO-YYYY-NNNN.json
//
// It does what golang.org/x/vulndb/cmd/indexdb does (same index bytes),
// with the standard library only, so `make vuln` needs neither that
// module's large dependency graph nor a network beyond the Go proxy.
// The database is written to a temporary sibling of -out and renamed
// into place, so an interrupted run never leaves half a database.
//
// Usage: go run scripts/vulndb-index.go -osv DIR -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type entry struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []osvRange `json:"ranges"`
	} `json:"affected"`
}

type osvRange struct {
	Type   string `json:"type"`
	Events []struct {
		Introduced string `json:"introduced"`
		Fixed      string `json:"fixed"`
	} `json:"events"`
}

type dbMeta struct {
	Modified string `json:"modified"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type moduleVuln struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Fixed    string `json:"fixed,omitempty"`
}

type vuln struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases,omitempty"`
}

func main() {
	osvDir := flag.String("osv", "", "folder of OSV JSON files (x/vulndb's data/osv)")
	out := flag.String("out", "", "folder to write the database to (must not exist)")
	flag.Parse()
	if *osvDir == "" || *out == "" {
		log.Fatal("usage: go run scripts/vulndb-index.go -osv DIR -out DIR")
	}
	n, err := build(*osvDir, *out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("vulndb: %d entries indexed into %s\n", n, *out)
}

func build(osvDir, out string) (int, error) {
	if _, err := os.Stat(out); err == nil {
		return 0, fmt.Errorf("%s already exists", out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), filepath.Base(out)+".tmp-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := os.Mkdir(filepath.Join(tmp, "index"), 0o755); err != nil {
		return 0, err
	}
	if err := os.Mkdir(filepath.Join(tmp, "ID"), 0o755); err != nil {
		return 0, err
	}

	files, err := filepath.Glob(filepath.Join(osvDir, "*.json"))
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("no OSV entries in %s", osvDir)
	}

	var latest time.Time
	modules := map[string]*module{}
	vulns := map[string]vuln{}
	for _, f := range files {
		if filepath.Base(f) == "index.json" {
			continue // legacy index, not an entry
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			return 0, fmt.Errorf("%s: %v", f, err)
		}
		if e.ID == "" || filepath.Base(f) != e.ID+".json" {
			return 0, fmt.Errorf("%s: entry id %q does not match the file name", f, e.ID)
		}
		if _, dup := vulns[e.ID]; dup {
			return 0, fmt.Errorf("%s: id %q appears twice", f, e.ID)
		}
		mod, err := time.Parse(time.RFC3339, e.Modified)
		if err != nil {
			return 0, fmt.Errorf("%s: modified: %v", f, err)
		}
		modified := mod.UTC().Format(time.RFC3339)
		if mod.After(latest) {
			latest = mod
		}
		vulns[e.ID] = vuln{ID: e.ID, Modified: modified, Aliases: e.Aliases}
		for _, a := range e.Affected {
			path := a.Package.Name
			if path == "" {
				return 0, fmt.Errorf("%s: affected package without a name", f)
			}
			fixed, err := latestFixed(a.Ranges)
			if err != nil {
				return 0, fmt.Errorf("%s: %s: %v", f, path, err)
			}
			m := modules[path]
			if m == nil {
				m = &module{Path: path, Vulns: []moduleVuln{}}
				modules[path] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: modified, Fixed: fixed})
		}
		if err := os.WriteFile(filepath.Join(tmp, "ID", e.ID+".json"), b, 0o644); err != nil {
			return 0, err
		}
	}

	modList := make([]*module, 0, len(modules))
	for _, m := range modules {
		sort.SliceStable(m.Vulns, func(i, j int) bool { return m.Vulns[i].ID < m.Vulns[j].ID })
		modList = append(modList, m)
	}
	sort.Slice(modList, func(i, j int) bool { return modList[i].Path < modList[j].Path })
	vulnList := make([]vuln, 0, len(vulns))
	for _, v := range vulns {
		vulnList = append(vulnList, v)
	}
	sort.Slice(vulnList, func(i, j int) bool { return vulnList[i].ID < vulnList[j].ID })

	for name, v := range map[string]any{
		"db.json":      dbMeta{Modified: latest.UTC().Format(time.RFC3339)},
		"modules.json": modList,
		"vulns.json":   vulnList,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(tmp, "index", name), b, 0o644); err != nil {
			return 0, err
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		return 0, err
	}
	return len(vulnList), nil
}

// latestFixed is the version from which no SEMVER range of the entry
// affects the module any more, or "" when there is none (a range that is
// still open). govulncheck skips an entry for a module whose version is
// at or past it, so it must never be too low. It follows
// osvutils.LatestFixed in x/vulndb (and semver.NonSupersededFix in
// x/vuln).
func latestFixed(ranges []osvRange) (string, error) {
	var latest string
	for _, r := range ranges {
		if r.Type != "SEMVER" {
			continue
		}
		for _, ev := range r.Events {
			if ev.Fixed == "" {
				continue
			}
			c, err := compare(latest, ev.Fixed)
			if err != nil {
				return "", err
			}
			if c < 0 {
				latest = ev.Fixed
			}
		}
		// Reintroduced after the latest fix: no fixed version.
		for _, ev := range r.Events {
			if ev.Introduced == "" || ev.Introduced == "0" {
				continue
			}
			c, err := compare(latest, ev.Introduced)
			if err != nil {
				return "", err
			}
			if c < 0 {
				latest = ""
				break
			}
		}
	}
	return latest, nil
}

// compare orders two unprefixed semantic versions as
// golang.org/x/mod/semver.Compare orders "v"+a and "v"+b; "" (no version
// yet) sorts before every version. Anything else that is not a valid
// semantic version is an error, so that a database this program does not
// understand fails the build instead of hiding a vulnerability.
func compare(a, b string) (int, error) {
	if a == "" || b == "" {
		switch {
		case a == b:
			return 0, nil
		case a == "":
			return -1, nil
		default:
			return 1, nil
		}
	}
	pa, err := parse(a)
	if err != nil {
		return 0, err
	}
	pb, err := parse(b)
	if err != nil {
		return 0, err
	}
	for i := 0; i < 3; i++ {
		if c := compareNum(pa.nums[i], pb.nums[i]); c != 0 {
			return c, nil
		}
	}
	return comparePre(pa.pre, pb.pre), nil
}

type semver struct {
	nums [3]string
	pre  string // without the leading '-'
}

func parse(v string) (semver, error) {
	var s semver
	bad := fmt.Errorf("invalid semantic version %q", v)
	if i := strings.IndexByte(v, '+'); i >= 0 {
		if !validIdents(v[i+1:], false) {
			return s, bad
		}
		v = v[:i]
	}
	if i := strings.IndexByte(v, '-'); i >= 0 {
		s.pre = v[i+1:]
		if !validIdents(s.pre, true) {
			return s, bad
		}
		v = v[:i]
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return s, bad
	}
	for i, p := range parts {
		if !isNum(p) || (len(p) > 1 && p[0] == '0') {
			return s, bad
		}
		s.nums[i] = p
	}
	return s, nil
}

func validIdents(s string, noLeadingZero bool) bool {
	if s == "" {
		return false
	}
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		for _, c := range id {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
				return false
			}
		}
		if noLeadingZero && isNum(id) && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

func isNum(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// compareNum compares decimal strings without leading zeros.
func compareNum(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// comparePre orders pre-release strings by the semver 2.0.0 rules: none
// sorts after any; identifiers compare numerically when both are numbers,
// numbers before words, words by ASCII; a shorter list first on a tie.
func comparePre(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, y := as[i], bs[i]
		if x == y {
			continue
		}
		xn, yn := isNum(x), isNum(y)
		switch {
		case xn && yn:
			return compareNum(x, y)
		case xn:
			return -1
		case yn:
			return 1
		default:
			return strings.Compare(x, y)
		}
	}
	if len(as) < len(bs) {
		return -1
	}
	if len(as) > len(bs) {
		return 1
	}
	return 0
}
