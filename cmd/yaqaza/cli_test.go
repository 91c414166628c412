package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestTokenCreatePrintsTheTokenAlone(t *testing.T) {
	data := t.TempDir()
	out, err := runCLI(t, "token", "create", "--role", "dispatcher", "--name", "desk-1", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^yqz_[a-z2-7]{32}\n$`).MatchString(out) {
		t.Fatalf("token create printed %q, want the token alone on a line", out)
	}
	list, err := runCLI(t, "token", "list", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(list), "\n"); len(lines) != 2 || !strings.Contains(lines[0], "LAST USED") ||
		!regexp.MustCompile(`desk-1 +dispatcher +\S+ +\S+ +never +active`).MatchString(lines[1]) {
		t.Errorf("token list printed:\n%s\nwant a header with LAST USED and desk-1 never used", list)
	}
	for _, bad := range [][]string{
		{"token", "create", "--role", "janitor", "--name", "x", "--data", data},
		{"token", "create", "--name", "x", "--data", data},
		{"token", "delete"},
		{"token", "create", "--role", "admin", "--name", "x", "--expires", "-1h", "--data", data},
	} {
		if _, err := runCLI(t, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}

func TestServePrintsFirstAdminTokenAndUsesIt(t *testing.T) {
	data := t.TempDir()
	srv := startServer(t, data)
	m := srv.waitFor(t, regexp.MustCompile(`yqz_[a-z2-7]{32}`))
	if m == "" {
		t.Fatalf("first start printed no admin token:\n%s", srv.stdout.String())
	}
	req, _ := http.NewRequest("GET", srv.url+"/api/v1/incidents", nil)
	req.Header.Set("Authorization", "Bearer "+m)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the printed token is refused: %d", resp.StatusCode)
	}
	// The console's first admin account signs in with the printed password,
	// and is sent to choose its own.
	once := regexp.MustCompile(`user: admin +one-time password: (\S+)`).FindStringSubmatch(srv.stdout.String())
	if once == nil {
		t.Fatalf("first start printed no console account:\n%s", srv.stdout.String())
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.PostForm(srv.url+"/signin", url.Values{"username": {"admin"}, "password": {once[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/password" {
		t.Fatalf("signing in with the printed password: %d to %q, want 303 to /password", resp.StatusCode, resp.Header.Get("Location"))
	}
	srv.stop(t)
	if _, err := os.Stat(filepath.Join(data, "yaqaza.db")); err != nil {
		t.Fatalf("no database in the data folder: %v", err)
	}
	// A second start has a token already and prints none.
	again := startServer(t, data)
	again.stop(t) // all its output is in once it has exited
	if strings.Contains(again.stdout.String(), "yqz_") || strings.Contains(again.stdout.String(), "one-time password") {
		t.Fatalf("second start printed a new token or password:\n%s", again.stdout.String())
	}
}

// TestPackLoad builds another city's pack (the arrondissements of Rabat,
// from the shared data) and loads it.
func TestPackLoad(t *testing.T) {
	raw, err := os.ReadFile("../../../shared/data/fes/morocco_arrondissements.geojson")
	if err != nil {
		t.Skipf("shared data not found (%v): skipping the pack load test", err)
	}
	var fc struct {
		Features []struct {
			Type       string          `json:"type"`
			Properties map[string]any  `json:"properties"`
			Geometry   json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatal(err)
	}
	type zone struct {
		Code  string            `json:"code"`
		Names map[string]string `json:"names"`
	}
	var features []any
	var zones []zone
	for _, f := range fc.Features {
		code, _ := f.Properties["code"].(string)
		name, _ := f.Properties["name"].(string)
		if !strings.HasPrefix(code, "04421") { // the prefecture of Rabat
			continue
		}
		features = append(features, map[string]any{"type": "Feature", "properties": map[string]any{"code": code}, "geometry": f.Geometry})
		zones = append(zones, zone{Code: code, Names: map[string]string{"fr": name}})
	}
	if len(zones) < 3 {
		t.Fatalf("found %d arrondissements of Rabat in the shared file", len(zones))
	}
	dir := t.TempDir()
	gj, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": features})
	os.WriteFile(filepath.Join(dir, "zones.geojson"), gj, 0o644)
	pj, _ := json.Marshal(map[string]any{"id": "rabat", "names": map[string]string{"fr": "Rabat"}, "zones": zones,
		"categories": []map[string]any{{"code": "other", "names": map[string]string{"fr": "Autre"}, "priority": "P4"}}})
	os.WriteFile(filepath.Join(dir, "pack.json"), pj, 0o644)

	data := t.TempDir()
	out, err := runCLI(t, "pack", "load", dir, "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "loaded pack rabat: "+strconv.Itoa(len(zones))+" zones") {
		t.Fatalf("pack load said %q", out)
	}
	// The server now serves Rabat's zones, not Fès's.
	srv := startServer(t, data)
	resp, err := http.Get(srv.url + "/api/v1/zones")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Souissi") || strings.Contains(string(b), "Zouagha") {
		t.Fatalf("zones after loading Rabat: %.300s", b)
	}
	srv.stop(t)
	// A broken pack is refused with a reason.
	os.WriteFile(filepath.Join(dir, "pack.json"), []byte(`{"id":"rabat","zones":[{"code":"nope"}]}`), 0o644)
	if _, err := runCLI(t, "pack", "load", dir, "--data", data); err == nil || !strings.Contains(err.Error(), "not a zone of pack.json") {
		t.Fatalf("broken pack: %v", err)
	}
	if _, err := runCLI(t, "pack", "load", filepath.Join(dir, "missing"), "--data", data); err == nil {
		t.Fatal("a missing pack directory was accepted")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"fly"}, {"serve", "--port", "80"}, {"bench"}, {"bench", "nothing"}, {"pack", "unload"}} {
		_, err := runCLI(t, args...)
		var ue usageError
		if err == nil || !asUsage(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func asUsage(err error, target *usageError) bool {
	for err != nil {
		if u, ok := err.(usageError); ok {
			*target = u
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}
