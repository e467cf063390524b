package algs

import (
	"errors"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/internal/setting"
)

// Signing are the asymmetric JWS algs accepted.
var Signing = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// ParseSigning reads OIDC_RS_SIGNING_ALGO: a list of JWS algs (see
// setting.List), without repeats; RS256 when v is empty.
func ParseSigning(v string) ([]jose.SignatureAlgorithm, error) {
	if v == "" {
		v = string(jose.RS256)
	}
	var out []jose.SignatureAlgorithm
	for _, f := range setting.List(v) {
		a := jose.SignatureAlgorithm(f)
		if !slices.Contains(Signing, a) {
			return nil, fmt.Errorf("unsupported algorithm %q (none and HMAC are never accepted)", f)
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no algorithm")
	}
	return out, nil
}
