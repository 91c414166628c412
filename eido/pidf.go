package eido

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/yaqaza/yaqaza"
)

// An EIDO carries a location by value as a PIDF-LO document (RFC 4119,
// RFC 5491): a geodetic shape in GML, a civic address, or both.
const (
	nsGML   = "http://www.opengis.net/gml"
	nsCivic = "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"
)

// pointPIDF is a PIDF-LO holding one WGS 84 point (EPSG 4326: latitude,
// then longitude). entity names the presentity; it is built from ids,
// and escaped all the same.
func pointPIDF(entity string, p yaqaza.Point) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	b.WriteString(`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" xmlns:gml="` + nsGML + `" entity="`)
	xml.EscapeText(&b, []byte(entity))
	b.WriteString(`"><tuple id="incident"><status><gp:geopriv><gp:location-info>`)
	b.WriteString(`<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>`)
	b.WriteString(strconv.FormatFloat(p.Lat, 'f', -1, 64) + " " + strconv.FormatFloat(p.Lon, 'f', -1, 64))
	b.WriteString(`</gml:pos></gml:Point></gp:location-info><gp:usage-rules/></gp:geopriv></status></tuple></presence>`)
	return b.String()
}

// readPIDF finds where a PIDF-LO document places things: the first GML
// position (a point, or the centre of a circle or ellipse), else the
// centroid of the first GML position list (a polygon); and the civic
// address as one line of text. Either may be missing; a document that is
// not XML, declares a DTD, or holds a position that is not a WGS 84
// latitude and longitude is refused.
func readPIDF(field, doc string) (*yaqaza.Point, string, error) {
	d := xml.NewDecoder(strings.NewReader(doc))
	var point *yaqaza.Point
	var civic []string
	var in string // the GML or civic element whose text is being read
	var text bytes.Buffer
	depth, elements := 0, 0
	notPIDF := func(why string) error {
		return yaqaza.Invalidf(field, "%s is not a PIDF-LO XML document: %s", field, yaqaza.Excerpt(why))
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, "", notPIDF(err.Error())
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, "", yaqaza.Invalidf(field, "%s declares a DTD, which is not accepted", field)
		case xml.StartElement:
			if depth == 0 && elements > 0 {
				return nil, "", notPIDF("more than one root element")
			}
			depth++
			elements++
			in, text = "", bytes.Buffer{}
			switch {
			case t.Name.Space == nsGML && (t.Name.Local == "pos" || t.Name.Local == "posList"):
				in = t.Name.Local
			case t.Name.Space == nsCivic && t.Name.Local != "civicAddress" && t.Name.Local != "country":
				in = "civic"
			}
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, "", notPIDF("text outside the root element")
			}
			if in != "" {
				text.Write(t)
			}
		case xml.EndElement:
			depth--
			if in == "" {
				continue
			}
			s := strings.TrimSpace(text.String())
			switch {
			case in == "civic" && s != "":
				civic = append(civic, s)
			case point == nil && in != "civic":
				p, err := gmlPoint(field, in, s)
				if err != nil {
					return nil, "", err
				}
				point = p
			}
			in = ""
		}
	}
	if elements == 0 {
		return nil, "", notPIDF("it holds no element")
	}
	return point, strings.Join(civic, ", "), nil
}

// gmlPoint reads a pos ("lat lon [alt]") or the centroid of a posList.
func gmlPoint(field, kind, s string) (*yaqaza.Point, error) {
	f := strings.Fields(s)
	var ring orb.Ring
	switch {
	case kind == "pos" && (len(f) == 2 || len(f) == 3):
		f = f[:2]
	case kind == "posList" && len(f) >= 6 && len(f)%2 == 0:
	default:
		return nil, yaqaza.Invalidf(field, "%s: gml:%s %q is not a list of latitude longitude pairs", field, kind, yaqaza.Excerpt(s))
	}
	for i := 0; i+1 < len(f); i += 2 {
		lat, err1 := strconv.ParseFloat(f[i], 64)
		lon, err2 := strconv.ParseFloat(f[i+1], 64)
		if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return nil, yaqaza.Invalidf(field, "%s: gml:%s %q is not a WGS 84 latitude and longitude", field, kind, yaqaza.Excerpt(s))
		}
		ring = append(ring, orb.Point{lon, lat})
	}
	if len(ring) == 1 {
		return &yaqaza.Point{Lat: ring[0][1], Lon: ring[0][0]}, nil
	}
	c, area := planar.CentroidArea(orb.Polygon{ring})
	if area == 0 || math.IsNaN(c[0]) || math.IsNaN(c[1]) {
		c = ring[0]
	}
	return &yaqaza.Point{Lat: c[1], Lon: c[0]}, nil
}
