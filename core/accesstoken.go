package core

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// accessTokenVerifier checks RFC 9068 JWT access tokens locally: RFC 9068
// section 4 and RFC 8725. The signing keys come from the shared,
// rate-limited remoteKeySet; the claims then go through a claimChecker.
type accessTokenVerifier struct {
	issuer   string
	audience audienceRule
	types    jwtTypes // the accepted typ headers
	algs     []jose.SignatureAlgorithm
	keys     *remoteKeySet
}

var (
	errEncryptedToken = errors.New("a JWE (five segments): encrypted access tokens are not supported")
	errTokenShape     = errors.New("not a compact JWS, or its header is unreadable or uses zip or crit")
	errTokenTyp       = errors.New("typ is not one of OIDC_RS_JWT_TYPES")
	errTokenAlg       = errors.New("alg is not one of OIDC_RS_SIGNING_ALGO")
	errTokenSig       = errors.New("the signature does not verify with the issuer's keys")
	errTokenIssuer    = errors.New("iss is not OIDC_OP_URL")
	errTokenNoExp     = errors.New("exp is missing")
)

// verify checks the token's form, header and signature, then iss, aud
// and the presence of exp, and returns its claims (numbers as
// json.Number). Every failure of the token is ErrInvalidToken; the JWKS
// endpoint's failures keep their 503 or 502.
func (v *accessTokenVerifier) verify(ctx context.Context, token string) (map[string]any, error) {
	bad := func(desc string, cause error) (map[string]any, error) {
		return nil, newError(ErrInvalidToken, desc, cause)
	}
	switch strings.Count(token, ".") {
	case 2:
	case 4:
		return bad(descTokenEncrypted, errEncryptedToken)
	default:
		return bad(descTokenMalformed, errTokenShape)
	}
	jws, err := jose.ParseSignedCompact(token, v.algs)
	if err != nil {
		// Only a refused token pays for a second look at its header.
		if hdr, herr := protectedHeader(token); herr == nil {
			if alg, _ := hdr["alg"].(string); !slices.Contains(v.algs, jose.SignatureAlgorithm(alg)) {
				return bad(descTokenSignature, errTokenAlg)
			}
		}
		return bad(descTokenMalformed, errTokenShape)
	}
	if len(jws.Signatures) != 1 {
		return bad(descTokenMalformed, errTokenShape)
	}
	hdr := jws.Signatures[0].Protected // a compact JWS has no other header
	if typ, present := hdr.ExtraHeaders[jose.HeaderType]; !v.types.accepts(headerType(typ, present)) {
		return bad(descTokenType, errTokenTyp)
	}
	if zipOrCrit(hdr) {
		return bad(descTokenMalformed, errTokenShape)
	}
	keys, err := v.keys.keysFor(ctx, hdr.KeyID)
	if errors.Is(err, errUnknownKID) {
		return bad(descTokenSignature, errUnknownKID)
	}
	if err != nil {
		return nil, asError(err, ErrUnavailable, descJWKSFailed)
	}
	payload := verifyWith(jws, keys)
	if payload == nil {
		// The issuer may have replaced the key under this kid: look again,
		// at most once per 5 s.
		if fresh, ok := v.keys.keysAfterFailure(ctx, hdr.KeyID, keys); ok {
			payload = verifyWith(jws, fresh)
		}
	}
	if payload == nil {
		return bad(descTokenSignature, errTokenSig)
	}
	claims, err := decodeObject(payload)
	if err != nil {
		return bad(descTokenMalformed, err)
	}
	if iss, _ := claims["iss"].(string); iss != v.issuer {
		return bad(descInvalidClaims, errTokenIssuer)
	}
	if err := v.audience.check(claims["aud"]); err != nil {
		return nil, err
	}
	if claims["exp"] == nil {
		return bad(descInvalidClaims, errTokenNoExp)
	}
	return claims, nil
}

// maxRoutedPayload bounds the payload segment read to route a token.
const maxRoutedPayload = 16 << 10

// jwtIssuer reads, without verifying anything, the iss and the class of
// the typ header of a token shaped like a JWT (a compact JWS), only to
// choose which configuration checks it. An opaque token costs one scan for
// dots.
func jwtIssuer(token string) (string, jwtTypes, bool) {
	if strings.Count(token, ".") != 2 {
		return "", 0, false
	}
	hdr, err := protectedHeader(token)
	if err != nil {
		return "", 0, false
	}
	typ, present := hdr["typ"]
	_, rest, _ := strings.Cut(token, ".")
	seg, _, _ := strings.Cut(rest, ".")
	if len(seg) > maxRoutedPayload {
		return "", 0, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return "", 0, false
	}
	var p struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(raw, &p) != nil || p.Iss == "" {
		return "", 0, false
	}
	return p.Iss, headerType(typ, present), true
}

// verifyWith returns the payload of jws if one of keys verifies it.
func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey) []byte {
	for i := range keys {
		if payload, err := jws.Verify(&keys[i]); err == nil {
			return payload
		}
	}
	return nil
}
