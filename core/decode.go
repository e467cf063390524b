package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strings"
)

// The JSON readers shared by both backends and the claim checks.

var errBadClaimType = errors.New("a registered claim has the wrong JSON type")

// decodeObject decodes one JSON object, numbers as json.Number, with
// nothing after it.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errors.New("body is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return m, nil
}

// isMediaType reports whether a Content-Type value is want, or ends with
// suffix (such as "+json") when suffix is not "".
func isMediaType(ctype, want, suffix string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return false
	}
	return mt == want || (suffix != "" && strings.HasSuffix(mt, suffix))
}

// parseAudience reads an audience value, in an introspection answer or an
// RFC 9701 envelope: a non-empty string, or a non-empty array of non-empty
// strings. It is the one audience parser.
func parseAudience(v any) ([]string, bool) {
	switch a := v.(type) {
	case string:
		if a == "" {
			return nil, false
		}
		return []string{a}, true
	case []any:
		if len(a) == 0 {
			return nil, false
		}
		out := make([]string, len(a))
		for i, x := range a {
			s, ok := x.(string)
			if !ok || s == "" {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// optString reads an optional string claim.
func optString(claims map[string]any, name string) (string, error) {
	switch v := claims[name].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", newError(ErrBadResponse, descInvalidClaims, errBadClaimType)
}
