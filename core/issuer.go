package core

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
)

// issuer is one authorization server's configuration: how its tokens are
// checked. intro introspects (opaque tokens, and JWTs in hybrid mode that
// are not its access tokens); local verifies its RFC 9068 access tokens.
// Each has its own discovery and JWKS cache.
type issuer struct {
	settings     Settings
	intro        introspector         // nil: this issuer is not asked
	checker      *claimChecker        // introspection answers
	local        *accessTokenVerifier // nil: no local JWT access tokens
	localChecker *claimChecker        // access-token claims
	typeNoted    sync.Once            // hybrid: the Info that some JWTs are introspected
}

func newIssuer(s Settings, kr *keyring, client *http.Client, o options, mon *monitor, gate *callGate) (*issuer, error) {
	cfg := &issuer{settings: s, checker: newClaimChecker(s)}
	disc := &discovery{issuer: s.Issuer, client: client, timeout: s.Timeout, logger: o.logger, mon: mon, now: o.now, gate: gate}
	jwksURL, introURL := disc.jwksURI, disc.introspectionEndpoint
	if s.JWKSEndpoint != "" {
		jwksURL = fixed(s.JWKSEndpoint)
	}
	if s.IntrospectionEndpoint != "" {
		introURL = fixed(s.IntrospectionEndpoint)
	}
	// One key set per issuer, shared by its RFC 9701 answers and its access
	// tokens: the same signing keys, fetched and refreshed once.
	keys := &remoteKeySet{url: jwksURL, client: client, timeout: s.Timeout, now: o.now, mon: mon, gate: gate}
	algs, err := s.signingAlgs()
	if err != nil && (s.Backend == BackendJWT || s.verifiesLocally()) {
		return nil, fmt.Errorf("OIDC_RS_SIGNING_ALGO: %w", err)
	}
	auth, err := newClientAuth(s, kr, disc.introspectionAuthMethods, o)
	if err != nil {
		return nil, err
	}
	ac := &asClient{http: client, endpoint: introURL, auth: auth, accept: "application/json", timeout: s.Timeout, mon: mon, gate: gate}
	switch s.Backend {
	case BackendJWT:
		ac.accept = "application/" + typIntrospection
		cfg.intro = &jwtIntrospector{client: ac, keys: kr, enc: jose.ContentEncryption(s.EncryptionEncoding),
			sigAlgs: algs, asKeys: keys, issuer: s.Issuer, clientID: s.ClientID, leeway: s.Leeway,
			maxAge: s.JWTMaxAge, now: o.now}
	case BackendJSON:
		cfg.intro = &jsonIntrospector{client: ac}
	}
	if s.verifiesLocally() {
		types, err := parseJWTTypes(s.JWTTypes)
		if err != nil {
			return nil, fmt.Errorf("OIDC_RS_JWT_TYPES: %w", err)
		}
		cfg.local = &accessTokenVerifier{issuer: s.Issuer, audience: newAudienceRule(s), types: types, algs: algs, keys: keys}
		cfg.localChecker = newAccessTokenChecker(s, types)
	}
	return cfg, nil
}

// issuers routes each token to the configuration that checks it.
type issuers struct {
	all    []*issuer
	opaque *issuer            // the one that introspects, or nil
	local  map[string]*issuer // by iss, those that verify access tokens
	only   *issuer            // the single local-only configuration, if it is the only one
	logger *slog.Logger
}

func newIssuers(all []*issuer, logger *slog.Logger) (*issuers, error) {
	r := &issuers{all: all, local: map[string]*issuer{}, logger: logger}
	for _, cfg := range all {
		if cfg.intro != nil {
			if r.opaque != nil {
				return nil, errors.New("only one configuration may introspect: opaque tokens go to it")
			}
			r.opaque = cfg
		}
		if cfg.local != nil {
			if r.local[cfg.settings.Issuer] != nil {
				return nil, fmt.Errorf("two configurations verify the access tokens of %s", cfg.settings.Issuer)
			}
			r.local[cfg.settings.Issuer] = cfg
		}
	}
	if len(all) == 1 && r.opaque == nil {
		r.only = all[0]
	}
	return r, nil
}

var errUntrustedIssuer = errors.New("no configuration verifies this token's issuer, and none introspects")

// route picks the configuration of token and whether it is verified
// locally. A JWT of a locally verifying issuer whose typ that issuer
// accepts (OIDC_RS_JWT_TYPES) goes to it, whatever else it fails, and never
// falls through to introspection; any other token goes to the
// introspecting configuration. With none, a JWT of a locally verifying
// issuer goes to it all the same, to be refused for its typ.
func (r *issuers) route(ctx context.Context, token string) (*issuer, bool, error) {
	if len(r.local) == 0 {
		return r.opaque, false, nil
	}
	if r.only != nil { // one local-only issuer: no routing to do
		return r.only, true, nil
	}
	if iss, typ, ok := jwtIssuer(token); ok {
		if cfg := r.local[iss]; cfg != nil {
			if r.opaque == nil || cfg.local.types.accepts(typ) {
				return cfg, true, nil
			}
			r.introspectedJWT(ctx, cfg, typ)
		}
	}
	if r.opaque != nil {
		return r.opaque, false, nil
	}
	return nil, false, newError(ErrInvalidToken, descUnknownIssuer, errUntrustedIssuer)
}

// introspectedJWT tells the operator, once per issuer and at Info, that
// JWTs of a locally verifying issuer go to introspection because their typ
// is not accepted: OIDC_RS_JWT_TYPES would check them locally. The token
// is unverified: only the class of its typ is logged.
func (r *issuers) introspectedJWT(ctx context.Context, cfg *issuer, typ jwtTypes) {
	cfg.typeNoted.Do(func() {
		r.logger.LogAttrs(ctx, slog.LevelInfo,
			"oidcrs: JWTs of this issuer are introspected, not checked locally: their typ is not in OIDC_RS_JWT_TYPES",
			slog.String("issuer", cfg.settings.Issuer), slog.String("typ", typ.name()))
	})
}

// combinedFingerprint binds the fingerprints of several configurations.
func combinedFingerprint(all []*issuer) fingerprint {
	if len(all) == 1 {
		return fingerprintOf(all[0].settings)
	}
	h := sha256.New()
	for _, cfg := range all {
		fp := fingerprintOf(cfg.settings)
		h.Write(fp[:])
	}
	var fp fingerprint
	copy(fp[:], h.Sum(nil))
	return fp
}
