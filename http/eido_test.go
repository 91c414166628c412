package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

// eidoRef, eidoPrologue and eidoDoc are a strict reading of the EIDOs the
// prefecture writes: a field the test does not list fails the decoding,
// so nothing (a reporter's contact above all) can slip in unnoticed.
type eidoRef struct {
	Ref string `json:"$ref"`
}

type eidoPrologue struct {
	ID         string   `json:"$id"`
	LastUpdate string   `json:"lastUpdateTimeStamp"`
	UpdatedBy  *eidoRef `json:"updatedByAgencyReference"`
}

type eidoDoc struct {
	eidoPrologue
	Version        string `json:"eidoVersion"`
	IssuingElement string `json:"issuingElementIdentification"`
	Incident       struct {
		eidoPrologue
		TypeCommon       string    `json:"incidentTypeCommonRegistryText"`
		TypeInternalCode string    `json:"incidentTypeInternalCode"`
		TypeInternalText string    `json:"incidentTypeInternalText"`
		StatusCommon     []string  `json:"incidentStatusCommonRegistryText"`
		StatusInternal   []string  `json:"incidentStatusInternalText"`
		InternalID       string    `json:"internalIncidentId"`
		PriorityInternal string    `json:"incidentPriorityInternalText"`
		PriorityCommon   int       `json:"incidentCommonPriorityNumber"`
		DispatchGroup    string    `json:"beatOrDispatchGroupText"`
		LocationRefs     []eidoRef `json:"locationReference"`
		NotesRefs        []eidoRef `json:"notesReference"`
	} `json:"incidentComponent"`
	Calls []struct {
		eidoPrologue
		PrimaryCallType string    `json:"standardPrimaryCallType"`
		LocalCallType   string    `json:"localCallType"`
		Direction       string    `json:"direction"`
		Start           string    `json:"callStartTimestamp"`
		State           string    `json:"callStateRegistryText"`
		NotesRefs       []eidoRef `json:"notesReference"`
	} `json:"callComponent"`
	Dispatches []struct {
		eidoPrologue
		AgencyRef    eidoRef   `json:"agencyReference"`
		ResourceRefs []eidoRef `json:"emergencyResourceReference"`
	} `json:"dispatchComponent"`
	Notes []struct {
		eidoPrologue
		Comments string `json:"notesActionComments"`
	} `json:"notesComponent"`
	Resources []struct {
		eidoPrologue
		TypeCommon      string    `json:"emergencyResourceTypeCommonRegistryText"`
		Name            string    `json:"emergencyResourceName"`
		PrimaryStatus   string    `json:"primaryUnitStatusRegistryText"`
		SecondaryStatus []string  `json:"secondaryUnitStatusRegistryText"`
		Attributes      []string  `json:"resourceAttributeRegistryText"`
		StatusInternal  []string  `json:"unitStatusInternal"`
		AgentRefs       []eidoRef `json:"agentReference"`
	} `json:"emergencyResourceComponent"`
	Agencies []struct {
		eidoPrologue
		Jcard  string   `json:"agencyJcard"`
		Roles  []string `json:"agencyRoleDescriptionRegistryText"`
		Types  []string `json:"agencyType"`
		Owning bool     `json:"incidentOwningAgencyIndicator"`
	} `json:"agencyComponent"`
	Locations []struct {
		eidoPrologue
		Type        string `json:"locationTypeDescriptionRegistryText"`
		ByValue     string `json:"locationByValue"`
		Description string `json:"locationDescriptionText"`
	} `json:"locationComponent"`
}

func decodeEIDO(t *testing.T, body string) eidoDoc {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.DisallowUnknownFields()
	var d eidoDoc
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("not the EIDO expected: %v\n%s", err, body)
	}
	return d
}

// TestIncidentAsEIDO reads an incident with a reporter's contact and a
// unit on it as an EIDO, and checks it against the JSON view of the same
// incident for the same reader.
func TestIncidentAsEIDO(t *testing.T) {
	ts := newTestServer(t)
	r := submit(t, ts, `{"channel":"call","text":"Bagarre devant le café, rappelez-moi au 0612345678","location":`+medinaPoint+`,
		"reporter":{"name":"Samira Alaoui","phone":"0612345678","email":"samira.alaoui@example.ma"}}`)
	_, body, _ := ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d/recommendations?k=1", r.IncidentID), ts.dispatcher, "")
	recs := decode[struct {
		Recommendations []struct {
			Unit yaqaza.Unit `json:"unit"`
		} `json:"recommendations"`
	}](t, body).Recommendations
	if len(recs) == 0 {
		t.Fatalf("no unit to send: %s", body)
	}
	if status, body, _ := ts.call(t, "POST", fmt.Sprintf("/api/v1/incidents/%d/assignments", r.IncidentID), ts.dispatcher,
		fmt.Sprintf(`{"units":[%d]}`, recs[0].Unit.ID)); status != 200 {
		t.Fatalf("assign: %d %s", status, body)
	}
	path := fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID)
	_, jsonView, _ := ts.call(t, "GET", path, ts.dispatcher, "")
	inc := decode[yaqaza.Incident](t, jsonView)
	status, body, h := ts.call(t, "GET", path+"/eido?lang=fr", ts.dispatcher, "")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("eido: %d %v %s", status, h, body)
	}
	d := decodeEIDO(t, body)
	tracking := fmt.Sprintf("urn:emergency:uid:incidentid:%d:fes.yaqaza.invalid", inc.ID)
	if d.ID != tracking || d.Version != "1.0" || d.IssuingElement == "" || d.UpdatedBy == nil || d.UpdatedBy.Ref != "fes.yaqaza.invalid" {
		t.Errorf("document = %+v", d.eidoPrologue)
	}
	updated, err := time.Parse(time.RFC3339Nano, d.Incident.LastUpdate)
	in := d.Incident
	if err != nil || !updated.Equal(inc.UpdatedAt) || in.InternalID != fmt.Sprint(inc.ID) || in.StatusInternal[0] != string(inc.Status) ||
		in.StatusCommon[0] != "Active" || in.PriorityInternal != inc.Priority.String() || in.PriorityCommon < 1 || in.PriorityCommon > 10 ||
		in.TypeInternalCode != inc.Category || in.TypeCommon == "" || in.DispatchGroup != inc.ZoneCode {
		t.Errorf("incident component %+v, JSON view status %s priority %s category %q zone %s updated %s",
			in, inc.Status, inc.Priority, inc.Category, inc.ZoneCode, inc.UpdatedAt)
	}
	if len(d.Locations) != 1 || in.LocationRefs[0].Ref != d.Locations[0].ID || d.Locations[0].Description != "Fès-Médina, Préfecture de police de Fès" ||
		!strings.Contains(d.Locations[0].ByValue, fmt.Sprintf("<gml:pos>%v %v</gml:pos>", inc.Location.Lat, inc.Location.Lon)) {
		t.Errorf("location = %+v (incident at %+v)", d.Locations, inc.Location)
	}
	if len(d.Calls) != len(inc.Reports) || len(d.Notes) != len(inc.Reports) || d.Calls[0].LocalCallType != "call" ||
		d.Calls[0].NotesRefs[0].Ref != d.Notes[0].ID || !strings.HasPrefix(d.Notes[0].Comments, "Bagarre devant le café") {
		t.Errorf("calls %+v, notes %+v", d.Calls, d.Notes)
	}
	if len(d.Resources) != len(inc.Assignments) || d.Resources[0].Name != inc.Assignments[0].CallSign ||
		d.Resources[0].StatusInternal[0] != "dispatched" || len(d.Dispatches) != 1 || d.Dispatches[0].ResourceRefs[0].Ref != d.Resources[0].ID {
		t.Errorf("units %+v, dispatch %+v; assignments %+v", d.Resources, d.Dispatches, inc.Assignments)
	}
	if len(d.Agencies) != 1 || !d.Agencies[0].Owning || d.Agencies[0].Types[0] != "police" || !strings.Contains(d.Agencies[0].Jcard, "Préfecture de police de Fès") {
		t.Errorf("agency = %+v", d.Agencies)
	}
	// The dispatcher sees the reporter's contact in the JSON view; the EIDO,
	// made to be passed on, never carries it.
	if !strings.Contains(jsonView, "0612345678") {
		t.Fatalf("the dispatcher's JSON view lacks the contact: %s", jsonView)
	}
	for _, v := range []string{"0612345678", "samira.alaoui@example.ma", "Samira", "Alaoui", r.TrackingCode} {
		if strings.Contains(body, v) {
			t.Errorf("the EIDO carries %q", v)
		}
	}
	// It left the prefecture: the trail says so.
	_, auditor, err := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "auditor", Role: yaqaza.RoleAuditor})
	if err != nil {
		t.Fatal(err)
	}
	_, trail, _ := ts.call(t, "GET", fmt.Sprintf("/api/v1/audit?action=data.export&object=incident:%d", inc.ID), auditor, "")
	if !strings.Contains(trail, `"detail":"EIDO — operational"`) {
		t.Errorf("no export line for the EIDO in the audit trail: %s", trail)
	}
}

// TestEIDOAccessFollowsTheJSONRead asks for incidents as EIDOs and as JSON
// with the same credentials: the answers' statuses are the same.
func TestEIDOAccessFollowsTheJSONRead(t *testing.T) {
	ts := newTestServer(t)
	medinaIncident := incident(t, ts, medinaPoint, false).IncidentID
	agdalIncident := incident(t, ts, agdalPoint, false).IncidentID
	_, head, _ := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "head-agdal", Role: yaqaza.RoleDistrictHead, Zones: []string{agdal}})
	_, comms, _ := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "comms", Role: yaqaza.RoleCommunication})
	for _, c := range []struct {
		who, token string
		id         any
		want       int
	}{
		{"Agdal head, Médina incident", head, medinaIncident, 403},
		{"Agdal head, Agdal incident", head, agdalIncident, 200},
		{"communications, incident not cleared", comms, medinaIncident, 0},
		{"anonymous", "", medinaIncident, 401},
		{"dispatcher, no such incident", ts.dispatcher, 9999, 404},
		{"dispatcher, not an id", ts.dispatcher, "abc", 404},
	} {
		path := fmt.Sprintf("/api/v1/incidents/%v", c.id)
		jsonStatus, jsonBody, _ := ts.call(t, "GET", path, c.token, "")
		status, body, _ := ts.call(t, "GET", path+"/eido", c.token, "")
		if status != jsonStatus || (c.want != 0 && status != c.want) {
			t.Errorf("%s: EIDO %d, JSON %d, want %d", c.who, status, jsonStatus, c.want)
		}
		if status >= 400 && decode[apiError](t, body).Error.Code != decode[apiError](t, jsonBody).Error.Code {
			t.Errorf("%s: EIDO %s, JSON %s", c.who, body, jsonBody)
		}
	}
}
