package core

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/internal/failure"
)

// typIntrospection is the JWS typ of RFC 9701 section 5.
const typIntrospection = "token-introspection+jwt"

// jwtIntrospector is the RFC 9701 backend (the reference's
// JWTResourceServerBackend): the answer is a JWS signed by the
// authorization server, then encrypted to the resource server's key.
type jwtIntrospector struct {
	client   *asClient
	keys     *keyring
	enc      jose.ContentEncryption
	sigAlgs  []jose.SignatureAlgorithm
	asKeys   *remoteKeySet
	issuer   string
	clientID string
	leeway   time.Duration
	maxAge   time.Duration // how old an answer may be, by its iat
	now      func() time.Time
}

var (
	errNotJWT       = errors.New("response is not application/token-introspection+jwt")
	errHeader       = errors.New("JWE protected header is unreadable or uses zip or crit")
	errUnknownRSKey = errors.New("JWE kid names no key of ours")
	errTyp          = errors.New("JWS typ is not token-introspection+jwt")
	errJWSHeader    = errors.New("JWS protected header uses zip or crit")
	errOuterClaims  = errors.New("response iss, aud or token_introspection is wrong")
	errHeaderClaims = errors.New("JWE iss or aud header contradicts the claims")
	errEnvelopeTime = errors.New("response exp, nbf or iat fails, or is not a number")
	errNoIAT        = errors.New("response has no iat (RFC 9701 section 5)")
	errStale        = errors.New("response iat is older than OIDC_RS_JWT_MAX_AGE: a possible replay")
)

// introspect posts the token and opens the RFC 9701 answer.
func (j *jwtIntrospector) introspect(ctx context.Context, token string) (map[string]any, error) {
	body, ctype, err := j.client.introspect(ctx, token)
	if err != nil {
		return nil, err
	}
	if !isMediaType(ctype, "application/"+typIntrospection, "") && !isMediaType(ctype, "application/jwt", "") {
		return nil, untrusted(descDecryptionFailed, failure.NotJWT, errNotJWT)
	}
	return j.open(ctx, strings.TrimSpace(string(body)))
}

// open decrypts, verifies and checks a compact JWE answer.
func (j *jwtIntrospector) open(ctx context.Context, compact string) (map[string]any, error) {
	hdr, err := protectedHeader(compact)
	if err != nil {
		return nil, untrusted(descDecryptionFailed, failure.Decryption, errHeader)
	}
	jwe, err := jose.ParseEncryptedCompact(compact, []jose.KeyAlgorithm{j.keys.alg}, []jose.ContentEncryption{j.enc})
	if err != nil {
		return nil, untrusted(descDecryptionFailed, failure.Decryption, errors.New("not a compact JWE with the configured alg and enc"))
	}
	plain, err := j.decrypt(jwe)
	if err != nil {
		return nil, err
	}
	jws, err := jose.ParseSignedCompact(string(plain), j.sigAlgs)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, untrusted(descDecodingFailed, failure.Signature, errors.New("not a compact JWS with the configured alg"))
	}
	sig := jws.Signatures[0].Protected
	if typ, _ := sig.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(strings.TrimPrefix(strings.ToLower(typ), "application/"), typIntrospection) {
		return nil, untrusted(descDecodingFailed, failure.Signature, errTyp)
	}
	if zipOrCrit(sig) {
		return nil, untrusted(descDecodingFailed, failure.Signature, errJWSHeader)
	}
	keys, err := j.asKeys.keysFor(ctx, sig.KeyID)
	if err != nil {
		return nil, asError(err, ErrUnavailable, descJWKSFailed)
	}
	payload := verifyWith(jws, keys)
	if payload == nil {
		if fresh, ok := j.asKeys.keysAfterFailure(ctx, sig.KeyID, keys); ok {
			payload = verifyWith(jws, fresh)
		}
	}
	if payload == nil {
		return nil, untrusted(descDecodingFailed, failure.Signature, errors.New("signature verification failed"))
	}
	outer, err := decodeObject(payload)
	if err != nil {
		return nil, untrusted(descDecodingFailed, failure.Signature, err)
	}
	return j.checkOuter(outer, hdr)
}

// decrypt picks our key by the JWE kid, or tries each key without one.
func (j *jwtIntrospector) decrypt(jwe *jose.JSONWebEncryption) ([]byte, error) {
	fail := func(cause error) ([]byte, error) {
		return nil, untrusted(descDecryptionFailed, failure.Decryption, cause)
	}
	if kid := jwe.Header.KeyID; kid != "" {
		k, ok := j.keys.byID[kid]
		if !ok {
			return nil, untrusted(descDecryptionFailed, failure.UnknownRSKey, errUnknownRSKey)
		}
		plain, err := jwe.Decrypt(k.Key)
		if err != nil {
			return fail(errors.New("decryption failed"))
		}
		return plain, nil
	}
	for i := range j.keys.keys {
		if plain, err := jwe.Decrypt(j.keys.keys[i].Key); err == nil {
			return plain, nil
		}
	}
	return fail(errors.New("no key decrypts the response"))
}

// checkOuter checks the JWT claims around token_introspection and returns
// the introspection answer.
func (j *jwtIntrospector) checkOuter(outer map[string]any, hdr map[string]any) (map[string]any, error) {
	bad := func(cause error) (map[string]any, error) {
		return nil, untrusted(descInvalidClaims, failure.Claims, cause)
	}
	iss, _ := outer["iss"].(string)
	aud, ok := parseAudience(outer["aud"])
	if iss != j.issuer || !ok || !slices.Contains(aud, j.clientID) {
		return bad(errOuterClaims)
	}
	if h, present := hdr["iss"]; present && h != iss {
		return bad(errHeaderClaims)
	}
	if h, present := hdr["aud"]; present {
		if ha, ok := parseAudience(h); !ok || !slices.Equal(ha, aud) {
			return bad(errHeaderClaims)
		}
	}
	// The envelope's times describe the answer, not the token: an expired
	// or future-dated answer is an untrusted AS answer (502), not a bad
	// token.
	now := j.now()
	_, _, iat, err := checkTimes(outer, now, j.leeway)
	switch {
	case err != nil:
		return bad(errEnvelopeTime)
	case iat.IsZero():
		return bad(errNoIAT)
	case now.Sub(iat) > j.maxAge+j.leeway:
		return bad(errStale)
	}
	ti, ok := outer["token_introspection"].(map[string]any)
	if !ok {
		return bad(errOuterClaims)
	}
	return ti, nil
}

// untrusted is an RFC 9701 answer that cannot be trusted: desc for the
// client, the cause marked with its kind for the oidcrs command's check.
func untrusted(desc string, kind failure.Kind, cause error) *authError {
	return newError(ErrBadResponse, desc, failure.New(kind, cause))
}

// protectedHeader decodes the first segment of a compact JWE or JWS and
// refuses zip (a decompression bomb vector neither RFC 9701 answers nor
// access tokens need) and crit (no extension is understood here).
func protectedHeader(compact string) (map[string]any, error) {
	seg, _, ok := strings.Cut(compact, ".")
	if !ok || len(seg) > 4096 {
		return nil, errHeader
	}
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, errHeader
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil || h == nil {
		return nil, errHeader
	}
	if _, zip := h["zip"]; zip {
		return nil, errHeader
	}
	if _, crit := h["crit"]; crit {
		return nil, errHeader
	}
	return h, nil
}

// zipOrCrit reports whether a JWS protected header (an access token's, or
// an RFC 9701 answer's inner one) has zip or crit with a value other than
// null (go-jose drops null members). RFC 7515 gives a JWS no zip, and
// go-jose ignores one: it is refused rather than read differently from
// how its issuer meant it. No crit extension is understood here.
func zipOrCrit(h jose.Header) bool {
	_, zip := h.ExtraHeaders["zip"]
	_, crit := h.ExtraHeaders["crit"]
	return zip || crit
}
