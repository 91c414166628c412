package eido_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/yaqaza/yaqaza"
)

// nenaSchema is NENA's EIDO schema (OpenAPI 3.0 with its NIEM components)
// from the project's shared data, or a skip.
func nenaSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	dir := os.Getenv("YAQAZA_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	p := filepath.Join(dir, "eido", "schema", "openapi.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Skipf("shared data %s not found (set YAQAZA_SHARED_DATA): skipping NENA's schema", p)
	}
	// The published file has one typo ("minItems: 1," under AgentType),
	// which no YAML reader takes as a number.
	data = []byte(strings.Replace(string(data), "minItems: 1,", "minItems: 1", 1))
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: abs})
	if err != nil {
		t.Fatalf("NENA's schema: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Logf("NENA's schema is not a valid OpenAPI document by kin-openapi's reading (%v); its component is used as it is", err)
	}
	ref := doc.Components.Schemas["EmergencyIncidentDataObjectType"]
	if ref == nil || ref.Value == nil {
		t.Fatal("NENA's schema has no EmergencyIncidentDataObjectType")
	}
	return ref.Value
}

func validate(s *openapi3.Schema, body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return s.VisitJSON(v, openapi3.MultiErrors())
}

// What Yaqaza sends a partner validates against NENA's schema, whatever
// the incident's state; the schema itself accepts NENA's current sample
// and refuses the outdated one, so the check can fail.
func TestEIDOValidatesAgainstNENASchema(t *testing.T) {
	schema := nenaSchema(t)
	if err := validate(schema, sharedSample(t, "Sample_call_transfer_EIDO.json")); err != nil {
		t.Fatalf("NENA's own current sample does not validate, so the check cannot be trusted: %v", err)
	}
	if err := validate(schema, sharedSample(t, "Sample_EIDO_2020-11_outdated.json")); err == nil {
		t.Fatal("the outdated sample validates: the check cannot fail")
	}
	// Nor does ours without a property NENA requires.
	var doc map[string]any
	body, _ := json.Marshal(fesIssuer().FromIncident(incident(), "fr"))
	json.Unmarshal(body, &doc)
	delete(doc, "eidoVersion")
	if b, _ := json.Marshal(doc); validate(schema, b) == nil {
		t.Fatal("an EIDO without eidoVersion validates: the check cannot fail")
	}
	merged := incident()
	merged.Status, merged.MergedInto = yaqaza.StatusMerged, 40
	bare := incident()
	bare.Location, bare.ZoneCode, bare.Reports, bare.Assignments, bare.Category = nil, "", nil, nil, ""
	for name, inc := range map[string]*yaqaza.Incident{"on scene": incident(), "merged": merged, "bare": bare} {
		for _, lang := range []string{"ar", "fr", "en"} {
			body, err := json.Marshal(fesIssuer().FromIncident(inc, lang))
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(schema, body); err != nil {
				t.Errorf("%s incident in %s: %s\n%s", name, lang, strings.ReplaceAll(err.Error(), "\n", " | "), body)
			}
		}
	}
}
