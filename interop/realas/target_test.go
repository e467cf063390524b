package realas_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/interop/realas"
)

// The modes a resource server checks tokens in.
const (
	modeJSON   = "json"   // RFC 7662 JSON introspection
	modeLocal  = "local"  // jwt-access-token: local JWT checking only
	modeHybrid = "hybrid" // JSON introspection + OIDC_RS_LOCAL_JWT
)

// The cases run for every server and mode.
const (
	caseValid    = "valid token 200"
	caseScope    = "wrong scope 403"
	caseUnknown  = "unknown token 401"
	caseExpired  = "expired token 401"
	caseRevoked  = "revoked token 401 after Forget"
	caseRefresh  = "refresh token 401"
	caseIDToken  = "ID token 401"
	caseStopped  = "AS stopped 503"
	caseAudience = "other audience 401" // local and hybrid: OIDC_RS_AUDIENCE
	jsonBackend  = "lasuite.oidc_resource_server.backend.ResourceServerBackend"
	rsScopes     = "groups"
	apiAudience  = "my-api" // a plain-string audience, as Hydra deployments use
	redirectURI  = "http://127.0.0.1:9/callback"
	shortSeconds = 2
)

// target is one kind of token from one running server.
type target struct {
	name string
	e    realas.Endpoints
	jwt  bool // access tokens are JWTs (typ JWT)
	// rsID and rsSecret are the resource server's client at the AS.
	rsID, rsSecret string
	// scopeClaim is OIDC_RS_SCOPE_CLAIM for local checking ("" to leave it).
	scopeClaim string
	// sub is the subject of client_credentials tokens.
	sub string
	// mint gets an access token by client_credentials; short gives one of
	// shortSeconds lifetime.
	mint func(ctx context.Context, scope string, short bool) (realas.Tokens, error)
	// code runs an authorization-code flow for subject.
	code func(ctx context.Context, subject string) (realas.Tokens, error)
	// mintOther gets a valid JWT access token whose aud lacks apiAudience.
	mintOther func(ctx context.Context) (realas.Tokens, error)
	revoke    func(ctx context.Context, token string) error
	refresh   func(ctx context.Context, refreshToken string) (realas.Tokens, error)
}

func isHydra(server string) bool { return strings.HasPrefix(server, "hydra") }

// modes lists the modes that apply to tg.
func (tg target) modes() []string {
	if tg.jwt {
		return []string{modeJSON, modeLocal, modeHybrid}
	}
	return []string{modeJSON}
}

// env is the environment a user would set for tg in mode.
func (tg target) env(mode string, extra map[string]string) map[string]string {
	e := map[string]string{
		"OIDC_OP_URL":    tg.e.Issuer,
		"OIDC_RS_SCOPES": rsScopes,
		"OIDC_TIMEOUT":   "15",
	}
	if mode == modeJSON || mode == modeHybrid {
		e["OIDC_RS_BACKEND_CLASS"] = jsonBackend
		e["OIDC_RS_CLIENT_ID"] = tg.rsID
		e["OIDC_RS_CLIENT_SECRET"] = tg.rsSecret
		e["OIDC_OP_INTROSPECTION_ENDPOINT"] = tg.e.Introspection
	}
	if mode == modeLocal || mode == modeHybrid {
		if mode == modeLocal {
			e["OIDC_RS_BACKEND_CLASS"] = "jwt-access-token"
		} else {
			e["OIDC_RS_LOCAL_JWT"] = "true"
		}
		e["OIDC_OP_JWKS_ENDPOINT"] = tg.e.JWKS
		e["OIDC_RS_SIGNING_ALGO"] = "RS256"
		e["OIDC_RS_AUDIENCE"] = apiAudience
		e["OIDC_RS_JWT_TYPES"] = "JWT"
		if tg.scopeClaim != "" {
			e["OIDC_RS_SCOPE_CLAIM"] = tg.scopeClaim
		}
	}
	for k, v := range extra {
		e[k] = v
	}
	return e
}

// rsApp is a resource server behind core's net/http middleware.
type rsApp struct {
	rs  *core.ResourceServer
	url string
}

// newApp builds a resource server from env as an application would
// (core.SettingsFromEnv, core.New) and serves GET /me with it until t ends.
func newApp(t *testing.T, env map[string]string) (rsApp, error) {
	t.Helper()
	s, err := core.SettingsFromEnv(func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	})
	if err != nil {
		return rsApp{}, err
	}
	rs, err := core.New(s)
	if err != nil {
		return rsApp{}, err
	}
	t.Cleanup(func() { _ = rs.Close() })
	mux := http.NewServeMux()
	mux.Handle("GET /me", rs.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti, _ := core.FromContext(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"sub": ti.Subject})
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return rsApp{rs: rs, url: srv.URL}, nil
}

// answer is what the app said.
type answer struct {
	status  int
	wwwAuth string
	error   string
	sub     string
}

var appClient = &http.Client{Timeout: 60 * time.Second}

func (a rsApp) call(t *testing.T, token string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.url+"/me", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := appClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var b struct {
		Error string `json:"error"`
		Sub   string `json:"sub"`
	}
	_ = json.Unmarshal(body, &b)
	return answer{status: resp.StatusCode, wwwAuth: resp.Header.Get("WWW-Authenticate"), error: b.Error, sub: b.Sub}
}

// want checks a status and, for a refusal, the RFC 6750 error code.
func want(t *testing.T, a answer, status int, code string) {
	t.Helper()
	require.Equal(t, status, a.status, "error %q, challenge %q", a.error, a.wwwAuth)
	if code != "" {
		require.Equal(t, code, a.error)
	}
}
