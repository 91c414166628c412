package cap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// Decode reads one CAP alert, 1.2 or 1.1 (which agencies still send; it
// names the same elements), and checks it (Validate). The document must
// be XML in UTF-8 or ISO-8859-1 whose root is <alert> in one of the two
// namespaces, holding only elements CAP allows where they stand; a DTD is
// refused (no entity of any kind is expanded), and so is anything but
// comments and white space after the alert. Every refusal is an EINVALID
// that names the problem.
func Decode(data []byte) (*Alert, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "the body is empty: a CAP 1.2 <alert> was expected")
	}
	// A byte order mark is allowed before an XML document in UTF-8.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	d := newDecoder(data)
	root, err := rootElement(d)
	if err != nil {
		return nil, err
	}
	if root.Name.Local != "alert" || (root.Name.Space != Namespace && root.Name.Space != Namespace11) {
		return nil, notCAP(root.Name)
	}
	ns := root.Name.Space
	if err := checkStructure(d, root, ns); err != nil {
		return nil, err
	}
	if err := trailing(d); err != nil {
		return nil, err
	}
	// Read again, now into the struct: a 1.1 alert as the 1.2 one it is
	// but for its namespace.
	d = newDecoder(data)
	if root, err = rootElement(d); err != nil {
		return nil, err
	}
	root.Name.Space = Namespace
	var a Alert
	if err := d.DecodeElement(&a, &root); err != nil {
		return nil, xmlError(err)
	}
	a.trim()
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &a, nil
}

func newDecoder(data []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	return d
}

// charsetReader reads ISO-8859-1 (Latin-1), in which older alerts are
// still written: each byte is the code point of the same number. Other
// encodings are refused by name.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-1", "iso8859-1", "latin1", "l1", "iso_8859-1":
	default:
		return nil, fmt.Errorf("%w %q", errEncoding, yaqaza.Excerpt(label))
	}
	b, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	out := make([]rune, len(b))
	for i, c := range b {
		out[i] = rune(c)
	}
	return strings.NewReader(string(out)), nil
}

var errEncoding = errors.New("unsupported encoding")

// rootElement reads up to the first element, refusing a DTD and a body
// that holds no element at all.
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return xml.StartElement{}, yaqaza.Errorf(yaqaza.EINVALID, "the body is not XML: a CAP 1.2 <alert> element was expected")
		} else if err != nil {
			return xml.StartElement{}, xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.Directive:
			return xml.StartElement{}, yaqaza.Errorf(yaqaza.EINVALID, "the alert declares a DTD (<!%s…>), which is not accepted", yaqaza.Excerpt(firstWord(string(t))))
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, yaqaza.Errorf(yaqaza.EINVALID, "the body is not XML: it starts with %q, a CAP 1.2 <alert> element was expected", yaqaza.Excerpt(strings.TrimSpace(string(t))))
			}
		}
	}
}

func trailing(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return yaqaza.Errorf(yaqaza.EINVALID, "malformed CAP: <%s> after the end of the alert; send one alert per request", yaqaza.Excerpt(t.Name.Local))
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return yaqaza.Errorf(yaqaza.EINVALID, "malformed CAP: text after the end of the alert")
			}
		}
	}
}

// notCAP names what the root element was instead.
func notCAP(n xml.Name) error {
	switch {
	case n.Local == "alert" && strings.HasPrefix(n.Space, "urn:oasis:names:tc:emergency:cap:"):
		return yaqaza.Errorf(yaqaza.EINVALID, "the alert is in namespace %s: CAP 1.2 (%s) and 1.1 are accepted", yaqaza.Excerpt(n.Space), Namespace)
	case n.Local == "alert":
		ns := n.Space
		if ns == "" {
			ns = "no namespace"
		}
		return yaqaza.Errorf(yaqaza.EINVALID, "<alert> is in %s, not the CAP 1.2 namespace %s", yaqaza.Excerpt(ns), Namespace)
	}
	return yaqaza.Errorf(yaqaza.EINVALID, "the root element is <%s>, not a CAP 1.2 <alert>", yaqaza.Excerpt(n.Local))
}

// xmlError turns a parser error into a message that names the problem.
func xmlError(err error) error {
	var syn *xml.SyntaxError
	msg := err.Error()
	switch {
	case errors.Is(err, errEncoding):
		return yaqaza.Errorf(yaqaza.EINVALID, "the alert's encoding is not accepted (%v): send UTF-8 or ISO-8859-1", err)
	case errors.As(err, &syn):
		return yaqaza.Errorf(yaqaza.EINVALID, "malformed XML at line %d: %s", syn.Line, yaqaza.Excerpt(syn.Msg))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return yaqaza.Errorf(yaqaza.EINVALID, "malformed XML: the body ends before the alert is complete")
	}
	return yaqaza.Errorf(yaqaza.EINVALID, "malformed CAP: %s", yaqaza.Excerpt(msg))
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

// trim drops the white space XML allows around the values of simple
// elements, so that " Actual " reads as Actual.
func (a *Alert) trim() {
	for _, p := range []*string{&a.Identifier, &a.Sender, &a.Sent, &a.Status, &a.MsgType, &a.Source, &a.Scope, &a.References, &a.Incidents} {
		*p = strings.TrimSpace(*p)
	}
	for i := range a.Infos {
		in := &a.Infos[i]
		for _, p := range []*string{&in.Language, &in.Event, &in.Urgency, &in.Severity, &in.Certainty, &in.Effective, &in.Onset, &in.Expires, &in.Headline, &in.Web} {
			*p = strings.TrimSpace(*p)
		}
		for j := range in.Categories {
			in.Categories[j] = strings.TrimSpace(in.Categories[j])
		}
		for j := range in.Areas {
			in.Areas[j].Desc = strings.TrimSpace(in.Areas[j].Desc)
		}
		for j := range in.Resources {
			in.Resources[j].URI = strings.TrimSpace(in.Resources[j].URI)
			in.Resources[j].MimeType = strings.TrimSpace(in.Resources[j].MimeType)
		}
	}
}
