package core

import (
	"context"
	"errors"
)

// introspector asks the authorization server about one token and returns
// its verified introspection answer (RFC 7662 section 2.2), numbers
// decoded as json.Number. Implementations must be safe for concurrent use
// and return *authError values.
type introspector interface {
	introspect(ctx context.Context, token string) (map[string]any, error)
}

// jsonIntrospector is the RFC 7662 backend (the reference's
// ResourceServerBackend).
type jsonIntrospector struct {
	client *asClient
}

var errNotJSON = errors.New("response is not application/json")

// introspect posts the token and decodes the RFC 7662 JSON answer.
func (j *jsonIntrospector) introspect(ctx context.Context, token string) (map[string]any, error) {
	body, ctype, err := j.client.introspect(ctx, token)
	if err != nil {
		return nil, err
	}
	if !isMediaType(ctype, "application/json", "+json") {
		return nil, newError(ErrBadResponse, descInvalidJSON, errNotJSON)
	}
	claims, err := decodeObject(body)
	if err != nil {
		return nil, newError(ErrBadResponse, descInvalidJSON, err)
	}
	return claims, nil
}
