package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// post sends a report to a running server and returns the status and body.
func post(t *testing.T, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/api/v1/reports", strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeTriages runs the real server: an off-topic public post is
// dropped, a viral post, its re-posts and a call make one incident, and
// after a restart a late re-post still joins it.
func TestServeTriages(t *testing.T) {
	data := t.TempDir()
	out, err := runCLI(t, "token", "create", "--data", data, "--role", "dispatcher", "--name", "social-desk")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	srv := startServer(t, data)
	status, body := post(t, srv.url, token, `{"channel":"social","external_id":"fb:0","text":"Quel beau match hier soir, bravo au MAS !","source":{"platform":"facebook"}}`)
	if status != 200 || !strings.Contains(body, `"dropped":true`) {
		t.Fatalf("off-topic post: %d %s", status, body)
	}
	video := "فيديو: شجار بالسكاكين بين شباب فحي بنسودة قرب السوق، واحد طايح كيسيل الدم"
	var incident float64
	for i := 0; i < 6; i++ {
		text := video
		if i > 0 {
			text = "RT @fes24: " + video + " 😱"
		}
		status, body = post(t, srv.url, token, fmt.Sprintf(`{"channel":"social","external_id":"fb:%d","text":%q,"source":{"platform":"facebook","author":"@p%d","reposts":30}}`, i+1, text, i))
		var r struct {
			IncidentID float64 `json:"incident_id"`
			Triage     struct {
				Category string `json:"category"`
				Priority string `json:"priority"`
				Joined   bool   `json:"joined"`
			} `json:"triage"`
		}
		json.Unmarshal([]byte(body), &r)
		if status != 201 || r.Triage.Category != "armed" || r.Triage.Priority != "P1" || (i > 0) != r.Triage.Joined {
			t.Fatalf("post %d: %d %s", i, status, body)
		}
		if i == 0 {
			incident = r.IncidentID
		} else if r.IncidentID != incident {
			t.Fatalf("re-post %d opened incident %v, not %v", i, r.IncidentID, incident)
		}
	}
	srv.stop(t)
	srv = startServer(t, data)
	_, body = post(t, srv.url, token, `{"channel":"call","text":"Appel: rixe au couteau à Bensouda, près du souk, un blessé"}`)
	if !strings.Contains(body, fmt.Sprintf(`"incident_id":%d`, int(incident))) || !strings.Contains(body, `"joined":true`) {
		t.Fatalf("after a restart the call did not join incident %v: %s", incident, body)
	}
}

// TestClassifyTrainSavesAVersion trains on a small labelled file, saves the
// model twice and checks the versions; then trains from the store's texts.
func TestClassifyTrainSavesAVersion(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	lines := []string{
		"incident\tشجار بالسكاكين فالزنقة", "incident\tVol à l'arraché près de la gare", "incident\twa7ed chfar sre9 lia tilifon",
		"incident\tA man stabbed someone near the station", "incident\tكريساج قدام الجامع", "incident\tAgression au couteau",
		"none\tصباح الخير يا فاس", "none\tQuel beau temps aujourd'hui", "none\tmatch zwin lyoum", "none\thappy birthday my friend",
		"none\tالله يرحم الوالدين", "none\tBonne fête à toutes les mamans",
	}
	for i := 0; i < 3; i++ {
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	file := filepath.Join(dir, "relevance.tsv")
	os.WriteFile(file, []byte(b.String()), 0o644)
	data := filepath.Join(dir, "data")
	for want := 1; want <= 2; want++ {
		out, err := runCLI(t, "classify", "train", "--train", file, "--test", file, "--save", "relevance", "--data", data, "--speed", "20ms")
		if err != nil {
			t.Fatal(err)
		}
		last := out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]
		var res map[string]any
		if err := json.Unmarshal([]byte(last), &res); err != nil {
			t.Fatalf("last line is not JSON: %q", last)
		}
		for _, k := range []string{"accuracy", "macro_f1", "train_s", "texts_per_s"} {
			if _, ok := res[k]; !ok {
				t.Fatalf("the result lacks %s: %s", k, last)
			}
		}
		if res["saved_version"] != float64(want) || res["accuracy"].(float64) < 0.9 {
			t.Fatalf("run %d: %s", want, last)
		}
	}
	if _, err := runCLI(t, "classify", "train", "--from-store", "category", "--data", data); err == nil || !strings.Contains(err.Error(), "too few") {
		t.Fatalf("training on an empty store: %v", err)
	}
	for _, bad := range [][]string{{"classify", "train"}, {"classify", "train", "--train", file}, {"classify", "train", "--train", filepath.Join(dir, "none"), "--test", file}} {
		if _, err := runCLI(t, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}
