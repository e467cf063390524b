package oidcrstest

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/core"
)

// Mode is the kind of introspection answer the fake server gives.
type Mode string

const (
	// JSON answers RFC 7662 JSON.
	JSON Mode = "json"
	// JWT answers RFC 9701 JWTs, signed then encrypted.
	JWT Mode = "jwt"
)

// Default credentials and values of minted tokens.
const (
	DefaultClientID     = "rs-client"
	DefaultClientSecret = "rs-secret"
	DefaultSPClientID   = "sp-client"
	DefaultSubject      = "user-1"
	DefaultScope        = "groups"
)

// Config configures a Server. Zero fields take the defaults named.
type Config struct {
	// Mode is JSON (default) or JWT.
	Mode Mode
	// ClientID and ClientSecret are the resource server's credentials.
	// Default DefaultClientID and DefaultClientSecret.
	ClientID, ClientSecret string
	// SigningAlg signs JWT answers: RS256 (default), PS256, ES256, ...
	SigningAlg jose.SignatureAlgorithm
	// KeyAlg and ContentEnc encrypt JWT answers. Default RSA-OAEP and
	// A256GCM.
	KeyAlg     jose.KeyAlgorithm
	ContentEnc jose.ContentEncryption
	// RSJWKSURL is where the server fetches the resource server's public
	// key, on first need.
	RSJWKSURL string
	// RSKey is the resource server's public key, if given directly.
	RSKey *jose.JSONWebKey
	// TokenTTL is the lifetime of minted tokens. Default one hour.
	TokenTTL time.Duration
	// Addr is the loopback address to listen on. Default 127.0.0.1:0.
	Addr string
	// Resource is the aud of minted access tokens. Default
	// https://rs.example/api.
	Resource string
	// DiscoveryIssuer, when set, is the issuer the discovery document
	// advertises instead of the server's URL.
	DiscoveryIssuer string
	// ClientAuthMethods are the client authentication methods the
	// introspection endpoint accepts, listed in the discovery document as
	// introspection_endpoint_auth_methods_supported: client_secret_post,
	// client_secret_basic, private_key_jwt (verified with the use "sig"
	// key of RSJWKSURL named by the assertion's kid). Default: none
	// listed, and the secret accepted in the form or in a Basic header.
	ClientAuthMethods []string
}

// Server is a fake authorization server on loopback for tests and for
// development. It is safe for concurrent use.
type Server struct {
	// URL is the issuer and base URL, without a trailing slash.
	URL string

	cfg   Config
	srv   *httptest.Server
	mu    sync.Mutex
	toks  map[string]map[string]any
	sig   []jose.JSONWebKey // signing keys, newest first
	rsKey *jose.JSONWebKey
	jtis  map[string]bool // client assertions' jti seen

	introspections, jwksCalls, discoveryCalls atomic.Int64
	fault                                     atomic.Pointer[Fault]
	jwksFault                                 atomic.Pointer[Fault]
	discoveryFault                            atomic.Pointer[Fault]
	hook                                      atomic.Pointer[answerFunc]
}

// answerFunc is what SetAnswerFunc installs.
type answerFunc func(token string, claims map[string]any) (status int, contentType string, body []byte)

// TB is the part of a test that Start uses. *testing.T and *testing.B
// satisfy it; it is an interface so that this package does not import
// testing, and a binary embedding the server (a development
// authorization server) does not link it.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(f func())
}

// Start starts a Server for a test; it stops when the test ends. It fails
// the test, with tb.Fatalf, when the server cannot start.
func Start(tb TB, cfg Config) *Server {
	tb.Helper()
	s, err := New(cfg)
	if err != nil {
		tb.Fatalf("oidcrstest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// New starts a Server; call Close when done.
func New(cfg Config) (*Server, error) {
	if cfg.Mode == "" {
		cfg.Mode = JSON
	}
	cfg.ClientID = or(cfg.ClientID, DefaultClientID)
	cfg.ClientSecret = or(cfg.ClientSecret, DefaultClientSecret)
	cfg.SigningAlg = jose.SignatureAlgorithm(or(string(cfg.SigningAlg), string(jose.RS256)))
	cfg.KeyAlg = jose.KeyAlgorithm(or(string(cfg.KeyAlg), string(jose.RSA_OAEP)))
	cfg.ContentEnc = jose.ContentEncryption(or(string(cfg.ContentEnc), string(jose.A256GCM)))
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	s := &Server{cfg: cfg, toks: map[string]map[string]any{}, rsKey: cfg.RSKey}
	if err := s.RotateSigningKey(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /introspect", s.serveIntrospect)
	mux.HandleFunc("GET /jwks", s.serveJWKS)
	mux.HandleFunc("GET /.well-known/openid-configuration", s.serveDiscovery)
	s.srv = httptest.NewUnstartedServer(mux)
	if cfg.Addr != "" {
		if err := s.listen(cfg.Addr); err != nil {
			return nil, err
		}
	}
	// The handlers read URL: set it before they can run.
	s.URL = "http://" + s.srv.Listener.Addr().String()
	s.srv.Start()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// IntrospectionURL is the introspection endpoint.
func (s *Server) IntrospectionURL() string { return s.URL + "/introspect" }

// JWKSURL is the endpoint of the server's signing keys.
func (s *Server) JWKSURL() string { return s.URL + "/jwks" }

// Config returns the configuration in force, defaults applied.
func (s *Server) Config() Config { return s.cfg }

// Settings returns resource-server settings that trust this server, with
// scopes OIDC_RS_SCOPES. In JWT mode, rsKeyPEM is the resource server's
// private key (the matching public key must reach the server through
// Config.RSJWKSURL or Config.RSKey).
func (s *Server) Settings(rsKeyPEM string, scopes ...string) core.Settings {
	if len(scopes) == 0 {
		scopes = []string{DefaultScope}
	}
	st := core.Settings{Backend: core.BackendJSON, ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret,
		Issuer: s.URL, IntrospectionEndpoint: s.IntrospectionURL(), JWKSEndpoint: s.JWKSURL(), Scopes: scopes,
		EncryptionAlgorithm: string(s.cfg.KeyAlg), PrivateKey: rsKeyPEM}
	if s.cfg.Mode == JWT {
		st.Backend = core.BackendJWT
		st.SigningAlgorithm = string(s.cfg.SigningAlg)
		st.EncryptionEncoding = string(s.cfg.ContentEnc)
	}
	return st
}

// Mint registers a new opaque token and returns it. Its answer is the
// defaults (active, iss, client_id DefaultSPClientID, sub DefaultSubject,
// scope DefaultScope, iat, exp) overlaid with claims; a claim set to nil
// is removed.
func (s *Server) Mint(claims map[string]any) string {
	now := time.Now()
	ans := map[string]any{"active": true, "iss": s.URL, "client_id": DefaultSPClientID, "sub": DefaultSubject,
		"scope": DefaultScope, "iat": now.Unix(), "exp": now.Add(s.cfg.TokenTTL).Unix(), "token_type": "Bearer"}
	for k, v := range claims {
		if v == nil {
			delete(ans, k)
		} else {
			ans[k] = v
		}
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	s.SetAnswer(tok, ans)
	return tok
}

// SetAnswer sets the answer for token.
func (s *Server) SetAnswer(token string, claims map[string]any) {
	s.mu.Lock()
	s.toks[token] = claims
	s.mu.Unlock()
}

// Revoke makes token inactive, as RFC 7009 revocation would.
func (s *Server) Revoke(token string) {
	s.mu.Lock()
	delete(s.toks, token)
	s.mu.Unlock()
}

// SetAnswerFunc installs f (or, with nil, removes it) in place of the
// server's introspection answer: f gets the token and the answer the
// server would give, and returns the status, Content-Type and body to
// send. Attack and fault tests use it to send crafted bodies.
func (s *Server) SetAnswerFunc(f func(token string, claims map[string]any) (status int, contentType string, body []byte)) {
	if f == nil {
		s.hook.Store(nil)
		return
	}
	h := answerFunc(f)
	s.hook.Store(&h)
}

// IntrospectionCalls counts introspection requests received.
func (s *Server) IntrospectionCalls() int64 { return s.introspections.Load() }

// JWKSCalls counts JWKS requests received.
func (s *Server) JWKSCalls() int64 { return s.jwksCalls.Load() }

// ResetCounts sets the counters to zero.
func (s *Server) ResetCounts() {
	s.introspections.Store(0)
	s.jwksCalls.Store(0)
	s.discoveryCalls.Store(0)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
