package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// assertionTTL is the lifetime of a private_key_jwt client assertion: one
// request's worth, so that a captured assertion is soon worthless.
const assertionTTL = time.Minute

// clientAssertionType is RFC 7523 section 2.2's client_assertion_type.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clientAuth authenticates the resource server at the introspection
// endpoint with the method set, or, when none is, with the one chosen from
// the authorization server's metadata on the first introspection (see
// chooseMethod). It logs one Error when the authorization server starts
// refusing the credentials and one Info when it accepts them again.
type clientAuth struct {
	set       ClientAuthMethod // "" when chosen from the metadata
	clientID  string
	secret    string
	aud       string                                  // the assertion's aud: the issuer
	signer    jose.Signer                             // private_key_jwt only
	supported func(context.Context) ([]string, error) // the metadata's list
	now       func() time.Time                        // the ResourceServer's clock
	logger    *slog.Logger

	mu      sync.Mutex
	chosen  ClientAuthMethod // kept for the life of the process once known
	refused bool             // the last answer refused our credentials
}

func newClientAuth(s Settings, kr *keyring, supported func(context.Context) ([]string, error), o options) (*clientAuth, error) {
	a := &clientAuth{set: s.ClientAuth, clientID: s.ClientID, secret: s.ClientSecret, aud: s.Issuer,
		supported: supported, now: o.now, logger: o.logger}
	if s.ClientAuth == PrivateKeyJWT && s.introspects() {
		if kr == nil || kr.sig == nil {
			return nil, errors.New("OIDC_RS_PRIVATE_KEY_STR: private_key_jwt needs the first configuration's private key")
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(kr.sig.Algorithm), Key: *kr.sig}, nil)
		if err != nil {
			return nil, errors.New("OIDC_RS_PRIVATE_KEY_STR: the key cannot sign client assertions")
		}
		a.signer = signer
	}
	return a, nil
}

// method returns the method to use, and whether it is settled. Unsettled
// is the fallback to client_secret_post while the metadata cannot be
// read: the next call reads it again (discovery bounds how often), until
// the authorization server accepts the fallback (see accepted). A metadata
// failure never skips authentication: the authorization server still
// decides.
func (a *clientAuth) method(ctx context.Context) (ClientAuthMethod, bool) {
	if a.set != "" {
		return a.set, true
	}
	a.mu.Lock()
	m := a.chosen
	a.mu.Unlock()
	if m != "" {
		return m, true
	}
	methods, err := a.supported(ctx)
	if err != nil {
		return ClientSecretPost, false
	}
	m = chooseMethod(methods)
	a.mu.Lock()
	first := a.chosen == ""
	a.chosen = m
	a.mu.Unlock()
	if first {
		// Info only when the choice is not what oidcrs always sent.
		level := slog.LevelDebug
		if m != ClientSecretPost {
			level = slog.LevelInfo
		}
		a.logger.LogAttrs(ctx, level, "oidcrs: client authentication chosen from the authorization server's metadata",
			slog.String("method", string(m)), slog.Any("introspection_endpoint_auth_methods_supported", methods))
	}
	return m, true
}

// chooseMethod picks the method from the authorization server's
// introspection_endpoint_auth_methods_supported: client_secret_post when
// the list names it or is empty (what oidcrs always sent before, so that a
// server that accepted it still gets it), else client_secret_basic when
// the list names it, else client_secret_post, which the authorization
// server will refuse, loudly (see refusedNow). private_key_jwt is never
// chosen: the server must know our key first, so it is set on purpose.
func chooseMethod(methods []string) ClientAuthMethod {
	if len(methods) == 0 || slices.Contains(methods, string(ClientSecretPost)) {
		return ClientSecretPost
	}
	if slices.Contains(methods, string(ClientSecretBasic)) {
		return ClientSecretBasic
	}
	return ClientSecretPost
}

// apply adds the credentials of method m to an introspection request's
// form, or returns them as its Authorization header value.
func (a *clientAuth) apply(m ClientAuthMethod, form url.Values) (authorization string, _ error) {
	switch m {
	case ClientSecretBasic:
		// RFC 6749 section 2.3.1: form-urlencode each before Basic.
		pair := url.QueryEscape(a.clientID) + ":" + url.QueryEscape(a.secret)
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(pair)), nil
	case PrivateKeyJWT:
		assertion, err := a.assertion()
		if err != nil {
			return "", err
		}
		form.Set("client_id", a.clientID)
		form.Set("client_assertion_type", clientAssertionType)
		form.Set("client_assertion", assertion)
	default:
		form.Set("client_id", a.clientID)
		form.Set("client_secret", a.secret)
	}
	return "", nil
}

// assertion returns a new client assertion (RFC 7523 section 3, OpenID
// Connect Core section 9): iss and sub the client id, aud the issuer
// identifier alone (as draft-ietf-oauth-rfc7523bis asks, and node
// oidc-provider accepts), a random jti, iat now and
// exp a minute later, signed with the resource server's first key.
func (a *clientAuth) assertion() (string, error) {
	if a.signer == nil {
		return "", errors.New("no key signs client assertions")
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", err
	}
	now := a.now()
	payload, err := json.Marshal(map[string]any{"iss": a.clientID, "sub": a.clientID, "aud": a.aud,
		"jti": base64.RawURLEncoding.EncodeToString(jti[:]), "iat": now.Unix(), "exp": now.Add(assertionTTL).Unix()})
	if err != nil {
		return "", err
	}
	obj, err := a.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// refusedNow records that the authorization server refused our
// credentials sent with method m: one Error on the change, naming the
// method, the client id and the server's error code, never the secret.
func (a *clientAuth) refusedNow(ctx context.Context, m ClientAuthMethod, status int, code string) {
	a.mu.Lock()
	change := !a.refused
	a.refused = true
	a.mu.Unlock()
	if change {
		a.logger.LogAttrs(ctx, slog.LevelError, "oidcrs: configuration error: the authorization server refuses the resource server's client authentication; check OIDC_RS_CLIENT_ID, OIDC_RS_CLIENT_SECRET or OIDC_RS_PRIVATE_KEY_STR, and OIDC_RS_CLIENT_AUTH_METHOD",
			slog.String("method", string(m)), slog.String("client_id", a.clientID), slog.Int("status", status),
			slog.String("error", code))
	}
}

// accepted records an answer that did not refuse our credentials sent
// with method m: it settles a fallback method, and logs one Info when the
// credentials were refused before.
func (a *clientAuth) accepted(ctx context.Context, m ClientAuthMethod, settled bool) {
	a.mu.Lock()
	change := a.refused
	a.refused = false
	if !settled && a.chosen == "" {
		a.chosen = m
	}
	a.mu.Unlock()
	if change {
		a.logger.LogAttrs(ctx, slog.LevelInfo, "oidcrs: the authorization server accepts the resource server's client authentication again",
			slog.String("method", string(m)))
	}
}
