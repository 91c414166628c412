package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// decodeJSON reads exactly one JSON value into v, refusing unknown fields
// (a misspelt field must not be silently dropped) and trailing data.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, data)
	}
	if dec.More() {
		return yaqaza.Errorf(yaqaza.EINVALID, "malformed JSON: unexpected data after the first value")
	}
	return nil
}

// jsonError turns a decoding error into a message that names the problem.
func jsonError(err error, data []byte) error {
	var ye *yaqaza.Error
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tpe *time.ParseError
	switch {
	case errors.As(err, &ye):
		return ye
	case errors.Is(err, io.EOF):
		return yaqaza.Errorf(yaqaza.EINVALID, "the body is empty: a JSON object was expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return yaqaza.Errorf(yaqaza.EINVALID, "malformed JSON: the body ends before the value is complete")
	case errors.As(err, &syn):
		return yaqaza.Errorf(yaqaza.EINVALID, "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return yaqaza.Errorf(yaqaza.EINVALID, "malformed JSON: expected an object, got %s", typ.Value)
		}
		return yaqaza.Invalidf(field, "%s must be %s, got %s", field, kindOf(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &tpe):
		return yaqaza.Errorf(yaqaza.EINVALID, "time %q is not in RFC 3339 form (2026-03-14T21:30:00Z)", tpe.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return yaqaza.Errorf(yaqaza.EINVALID, "unknown field %s", name)
	}
	return yaqaza.Errorf(yaqaza.EINVALID, "malformed JSON: %v", err)
}

func kindOf(k string) string {
	switch k {
	case "float64", "float32", "int", "int64", "int32":
		return "a number"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "ptr", "map":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "of type " + k
}

// readBody reads at most limit bytes of the body; more is ETOOLARGE.
// readJSON reads a small request body (at most maxSmallBody) into v.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r, maxSmallBody)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, yaqaza.Errorf(yaqaza.ETOOLARGE, "the request body is over the limit of %s", sizeName(limit))
	} else if err != nil {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "the request body could not be read: %v", err)
	}
	return b, nil
}

func sizeName(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// mustJSON encodes values the program built itself.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
