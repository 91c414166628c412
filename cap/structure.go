package cap

import (
	"encoding/xml"
	"errors"
	"io"
	"slices"

	"github.com/yaqaza/yaqaza"
)

// The elements CAP allows inside each element (1.1 and 1.2 name the same
// ones). encoding/xml passes over elements a struct does not name, so the
// structure is checked first: an alert with an element CAP does not know,
// or one in the wrong place, is refused rather than half read.
var capChildren = map[string][]string{
	"alert": {"identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction", "addresses",
		"code", "note", "references", "incidents", "info"},
	"info": {"language", "category", "event", "responseType", "urgency", "severity", "certainty", "audience",
		"eventCode", "effective", "onset", "expires", "senderName", "headline", "description", "instruction", "web",
		"contact", "parameter", "resource", "area"},
	"eventCode": {"valueName", "value"},
	"parameter": {"valueName", "value"},
	"geocode":   {"valueName", "value"},
	"resource":  {"resourceDesc", "mimeType", "size", "uri", "derefUri", "digest"},
	"area":      {"areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"},
}

// xmldsig is the namespace of XML signatures, which CAP 1.2 (not 1.1)
// allows at the end of an alert.
const xmldsig = "http://www.w3.org/2000/09/xmldsig#"

// checkStructure walks the alert's elements: each must be one CAP allows
// where it stands, in the alert's own namespace ns.
func checkStructure(d *xml.Decoder, root xml.StartElement, ns string) error {
	stack := []string{root.Name.Local}
	for len(stack) > 0 {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return yaqaza.Errorf(yaqaza.EINVALID, "malformed XML: the body ends before the alert is complete")
		} else if err != nil {
			return xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := stack[len(stack)-1]
			switch {
			case t.Name.Space == xmldsig && t.Name.Local == "Signature" && parent == "alert" && ns == Namespace:
				if err := d.Skip(); err != nil {
					return xmlError(err)
				}
				continue
			case t.Name.Space != ns:
				return yaqaza.Errorf(yaqaza.EINVALID, "<%s> (namespace %s) is not a CAP element: it may not stand in <%s>",
					yaqaza.Excerpt(t.Name.Local), yaqaza.Excerpt(orNone(t.Name.Space)), parent)
			case !slices.Contains(capChildren[parent], t.Name.Local):
				return yaqaza.Errorf(yaqaza.EINVALID, "<%s> may not stand in <%s> in CAP", yaqaza.Excerpt(t.Name.Local), parent)
			}
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	return nil
}

func orNone(ns string) string {
	if ns == "" {
		return "none"
	}
	return ns
}
