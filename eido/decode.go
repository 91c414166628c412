package eido

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// inbound is a Document as partners send it: the incident component as
// one object, as the schema has it, or as an array of one, as NENA's
// earlier samples do. (The shallower field takes incidentComponent.)
type inbound struct {
	Document
	IncidentRaw json.RawMessage `json:"incidentComponent"`
}

// Decode reads one EIDO and checks what the schema requires of the parts
// Yaqaza uses: $id, eidoVersion 1.0, issuingElementIdentification,
// lastUpdateTimeStamp, at least one agency, an incident component with
// its incident type or, for a call another PSAP transfers before any
// incident exists, a call component; valid date-times, and locations by
// value that are PIDF-LO with a WGS 84 position. Components and fields Yaqaza does not
// use are passed over. Every refusal is an EINVALID naming the problem.
func Decode(data []byte) (*Document, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "the body is empty: an EIDO (a JSON object) was expected")
	}
	// A byte order mark may be ignored (RFC 8259 §8.1), and some senders add one.
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	var in inbound
	if err := dec.Decode(&in); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "malformed JSON: unexpected data after the EIDO; send one EIDO per request")
	}
	d := in.Document
	if len(bytes.TrimSpace(in.IncidentRaw)) > 0 || len(d.Calls) == 0 {
		inc, err := incidentComponent(in.IncidentRaw)
		if err != nil {
			return nil, err
		}
		d.Incident = inc
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

func incidentComponent(raw json.RawMessage) (*Incident, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, yaqaza.Invalidf("incidentComponent", "the EIDO has neither an incidentComponent nor a callComponent: there is nothing to report")
	}
	var one Incident
	if raw[0] == '[' {
		var list []Incident
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, jsonError(err)
		}
		if len(list) == 0 {
			return nil, yaqaza.Invalidf("incidentComponent", "incidentComponent is an empty array: there is no incident to report")
		}
		one = list[0]
	} else if err := json.Unmarshal(raw, &one); err != nil {
		return nil, jsonError(err)
	}
	return &one, nil
}

func (d *Document) validate() error {
	switch {
	case strings.TrimSpace(d.ID) == "":
		return yaqaza.Invalidf("$id", "the EIDO has no $id (its incident tracking identifier)")
	case len(d.ID) > yaqaza.MaxExternalIDLen-len(externalPrefix):
		return yaqaza.Invalidf("$id", "$id is longer than %d bytes", yaqaza.MaxExternalIDLen-len(externalPrefix))
	case d.Version == "":
		return yaqaza.Invalidf("eidoVersion", "the EIDO has no eidoVersion")
	case d.Version != Version:
		return yaqaza.Invalidf("eidoVersion", "eidoVersion %q is not supported: only %s is", yaqaza.Excerpt(d.Version), Version)
	case strings.TrimSpace(d.IssuingElement) == "":
		return yaqaza.Invalidf("issuingElementIdentification", "the EIDO has no issuingElementIdentification")
	case len(d.Agencies) == 0:
		return yaqaza.Invalidf("agencyComponent", "the EIDO has no agencyComponent: the sending agency must be named")
	case d.Incident != nil && strings.TrimSpace(d.Incident.TypeCommon) == "":
		return yaqaza.Invalidf("incidentTypeCommonRegistryText", "the incident component has no incidentTypeCommonRegistryText")
	}
	if _, err := parseStamp("lastUpdateTimeStamp", d.LastUpdate, true); err != nil {
		return err
	}
	for i, c := range d.Calls {
		if _, err := parseStamp(fmt.Sprintf("callComponent[%d].callStartTimestamp", i), c.Start, false); err != nil {
			return err
		}
	}
	for i, l := range d.Locations {
		if l.ByValue == "" {
			continue
		}
		if _, _, err := readPIDF(fmt.Sprintf("locationComponent[%d].locationByValue", i), l.ByValue); err != nil {
			return err
		}
	}
	return nil
}

// parseStamp reads an RFC 3339 date-time (fractions and Z allowed, as
// JSON Schema's date-time is).
func parseStamp(field, s string, required bool) (time.Time, error) {
	if s == "" {
		if required {
			return time.Time{}, yaqaza.Invalidf(field, "the EIDO has no %s", field)
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, yaqaza.Invalidf(field, "%s %q is not an RFC 3339 date-time such as 2026-03-14T21:30:00+01:00", field, yaqaza.Excerpt(s))
	}
	return t, nil
}

// jsonError turns a decoding error into a message that names the problem.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return yaqaza.Errorf(yaqaza.EINVALID, "malformed JSON: the body ends before the EIDO is complete")
	case errors.As(err, &syn):
		return yaqaza.Errorf(yaqaza.EINVALID, "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ) && typ.Field == "":
		return yaqaza.Errorf(yaqaza.EINVALID, "an EIDO is a JSON object, got %s", typ.Value)
	case errors.As(err, &typ):
		return yaqaza.Invalidf(typ.Field, "%s must be %s, got %s", typ.Field, kindName(typ.Type.Kind().String()), typ.Value)
	}
	return yaqaza.Errorf(yaqaza.EINVALID, "malformed EIDO: %s", yaqaza.Excerpt(err.Error()))
}

func kindName(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "ptr":
		return "an object"
	case "int", "int64":
		return "a whole number"
	case "bool":
		return "true or false"
	}
	return "of type " + k
}
