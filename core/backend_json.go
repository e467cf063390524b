package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strings"
)

// Introspector asks the authorization server about one token and returns
// its verified introspection answer (RFC 7662 section 2.2), numbers
// decoded as json.Number. Implementations must be safe for concurrent use
// and return *Error values.
type Introspector interface {
	Introspect(ctx context.Context, token string) (map[string]any, error)
}

// jsonIntrospector is the RFC 7662 backend (the reference's
// ResourceServerBackend).
type jsonIntrospector struct {
	client *asClient
}

// Introspect posts the token and decodes the RFC 7662 JSON answer.
func (j *jsonIntrospector) Introspect(ctx context.Context, token string) (map[string]any, error) {
	body, ctype, err := j.client.introspect(ctx, token)
	if err != nil {
		return nil, err
	}
	if !isMediaType(ctype, "application/json", "+json") {
		return nil, newError(ErrBadResponse, DescInvalidJSON, errors.New("response is not application/json"))
	}
	claims, err := decodeObject(body)
	if err != nil {
		return nil, newError(ErrBadResponse, DescInvalidJSON, err)
	}
	return claims, nil
}

// decodeObject decodes one JSON object, numbers as json.Number, with
// nothing after it.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, errors.New("body is not a JSON object")
	}
	if m == nil {
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
