package devas

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Config configures a Server. Zero fields take the defaults named.
type Config struct {
	// Addr is the loopback address to listen on. Default 127.0.0.1:0. An
	// address that is not loopback is refused.
	Addr string
	// Scopes are the scopes the server grants; a request gets those of
	// its scopes that are in this list. Default none.
	Scopes []string
	// Resources are the RFC 8707 resource indicators the server issues
	// tokens for (the resource servers' OIDC_RS_RESOURCE). Default none:
	// a request naming a resource is refused, and tokens carry no aud.
	Resources []string
	// Subject is the sub of every token. Default "dev-user".
	Subject string
	// TTL is the lifetime the token response announces in expires_in; it
	// must match Mint's. Default one hour.
	TTL time.Duration
	// Mint issues an access token with these claims (scope, client_id,
	// sub and, with a resource, aud) that the resource server accepts.
	// Required.
	Mint func(claims map[string]any) string
	// Log receives one Info record per automatic approval. Default:
	// discard.
	Log *slog.Logger
}

// codeTTL is how long an authorization code can be redeemed.
const codeTTL = time.Minute

// Server is a running development authorization server. It is safe for
// concurrent use.
type Server struct {
	// URL is its issuer and base URL, http://127.0.0.1:port.
	URL string

	cfg     Config
	srv     *http.Server
	ln      net.Listener
	now     func() time.Time
	mu      sync.Mutex
	clients map[string]client // by client_id
	codes   map[string]grant  // by code
}

// New starts a Server on loopback; call Close when done.
func New(cfg Config) (*Server, error) {
	if cfg.Mint == nil {
		return nil, errors.New("devas: Config.Mint is required")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Subject == "" {
		cfg.Subject = "dev-user"
	}
	if cfg.TTL == 0 {
		cfg.TTL = time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("devas: %q is not a loopback address: the development authorization server listens on loopback only", cfg.Addr)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("devas: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), cfg: cfg, ln: ln, now: time.Now,
		clients: map[string]client{}, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.serveMetadata)
	mux.HandleFunc("POST /register", s.serveRegister)
	mux.HandleFunc("GET /authorize", s.serveAuthorize)
	mux.HandleFunc("POST /token", s.serveToken)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}

// serveMetadata answers the RFC 8414 metadata.
func (s *Server) serveMetadata(w http.ResponseWriter, _ *http.Request) {
	scopes := s.cfg.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.URL,
		"authorization_endpoint":                s.URL + "/authorize",
		"token_endpoint":                        s.URL + "/token",
		"registration_endpoint":                 s.URL + "/register",
		"scopes_supported":                      scopes,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"token_endpoint_auth_methods_supported": []string{"none"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

// oauthError is an RFC 6749 error response; description is a fixed text.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// random returns 32 random bytes, base64url.
func random() string {
	var b [32]byte
	_, _ = io.ReadFull(rand.Reader, b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
