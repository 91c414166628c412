package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// gazetteerFile is the optional file of a pack that lists the places people
// name in reports, as a JSON array of yaqaza.Place.
const gazetteerFile = "gazetteer.json"

// readGazetteer reads the pack's gazetteer.json. A pack without one has no
// gazetteer (nil, no error). Unknown fields are refused, so that a misspelt
// "common_word" is not silently lost, and every place is checked against
// the pack's zones; an error names the entry at fault.
func readGazetteer(fsys fs.FS, zones map[string]bool) ([]yaqaza.Place, error) {
	b, err := fs.ReadFile(fsys, gazetteerFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: cannot read %s: %v", gazetteerFile, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var places []yaqaza.Place
	if err := dec.Decode(&places); err != nil {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: %s is not a JSON array of places: %v", gazetteerFile, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: %s has more after its array", gazetteerFile)
	}
	for i := range places {
		if err := checkPlace(&places[i], zones); err != nil {
			return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: %s: entry %d (%q): %v", gazetteerFile, i+1, places[i].Name, err)
		}
	}
	return places, nil
}

func checkPlace(p *yaqaza.Place, zones map[string]bool) error {
	if strings.TrimSpace(p.Name) == "" {
		return errors.New("a place needs a name")
	}
	for i, a := range p.Aliases {
		if strings.TrimSpace(a) == "" {
			return fmt.Errorf("alias %d is empty", i+1)
		}
	}
	if p.Zone != "" && !zones[p.Zone] {
		return fmt.Errorf("zone %s is not a zone of the pack", p.Zone)
	}
	if p.Point != nil {
		if err := p.Point.Validate("point"); err != nil {
			return errors.New(yaqaza.ErrorMessage(err))
		}
	}
	return nil
}

// zoneCodes is the set of the zones' codes, for checking what refers to them.
func zoneCodes(zones []yaqaza.Zone) map[string]bool {
	m := make(map[string]bool, len(zones))
	for _, z := range zones {
		m[z.Code] = true
	}
	return m
}
