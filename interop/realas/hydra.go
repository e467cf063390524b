package realas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/interop/internal/tail"
)

// HydraConfig selects Hydra's strategies (its environment variables).
type HydraConfig struct {
	// AccessToken is STRATEGIES_ACCESS_TOKEN: "opaque" (default) or "jwt".
	// A client may override it (access_token_strategy).
	AccessToken string
	// ScopeClaim is STRATEGIES_JWT_SCOPE_CLAIM, the scope claim of JWT
	// access tokens: "list" (default: scp, an array), "string" (scope) or
	// "both".
	ScopeClaim string
}

// Hydra is a running `hydra serve all --dev` with an in-memory database.
type Hydra struct {
	Endpoints
	// Admin is the admin API's base URL (introspection lives there).
	Admin string
	// LoginURL and ConsentURL are Hydra's URLS_LOGIN and URLS_CONSENT: no
	// server answers there; the code flow accepts through the admin API.
	LoginURL, ConsentURL string

	p *proc
	// mu serialises the calls that write to Hydra's database: with
	// DSN=memory (SQLite) concurrent transactions fail with 500
	// server_error, which a real deployment's database would not.
	mu sync.Mutex
}

// hydraMaxLifetime bounds how long a Hydra process lives, if nothing kills
// it before.
const hydraMaxLifetime = 10 * time.Minute

// hydraWatchdog runs "$2..." and waits for it; "kill -9 0" kills the whole
// process group at EOF on stdin or after $1 seconds.
const hydraWatchdog = `exec 3<&0
life=$1; shift
"$@" </dev/null &
p=$!
(cat <&3 >/dev/null; kill -9 0) &
(sleep "$life"; kill -9 0) &
wait $p`

// readyTimeout bounds a server's start, generously: the machine is shared.
const readyTimeout = 60 * time.Second

// StartHydra starts Hydra on two free loopback ports and waits until its
// admin API reports ready. Close stops it.
func StartHydra(ctx context.Context, cfg HydraConfig) (*Hydra, error) {
	bin, err := HydraPath()
	if err != nil {
		return nil, err
	}
	if err := HydraAvailable(); err != nil {
		return nil, err
	}
	var lastErr error
	for range 3 { // a free port may be taken before Hydra binds it
		h, err := startHydra(ctx, bin, cfg)
		if err == nil {
			return h, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startHydra(ctx context.Context, bin string, cfg HydraConfig) (*Hydra, error) {
	pub, adm := freePort(), freePort()
	var err error
	if pub == 0 || adm == 0 || pub == adm {
		return nil, fmt.Errorf("realas: no free port")
	}
	base := "http://127.0.0.1:" + strconv.Itoa(pub)
	h := &Hydra{
		Endpoints: Endpoints{
			Issuer:        base,
			Token:         base + "/oauth2/token",
			Authorization: base + "/oauth2/auth",
			Revocation:    base + "/oauth2/revoke",
			JWKS:          base + "/.well-known/jwks.json",
		},
		Admin:      "http://127.0.0.1:" + strconv.Itoa(adm),
		LoginURL:   base + "/test-login",
		ConsentURL: base + "/test-consent",
	}
	h.Introspection = h.Admin + "/admin/oauth2/introspect"
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(),
		"DSN=memory",
		"SERVE_PUBLIC_HOST=127.0.0.1", "SERVE_PUBLIC_PORT=" + strconv.Itoa(pub),
		"SERVE_ADMIN_HOST=127.0.0.1", "SERVE_ADMIN_PORT=" + strconv.Itoa(adm),
		"URLS_SELF_ISSUER=" + base, "URLS_SELF_PUBLIC=" + base,
		"URLS_LOGIN=" + h.LoginURL, "URLS_CONSENT=" + h.ConsentURL,
		"SECRETS_SYSTEM=" + random(), // 32 hex digits, new at every start
		"LOG_LEVEL=warn",
		"SQA_OPT_OUT=true", // no telemetry: loopback only
	}
	if cfg.AccessToken != "" {
		env = append(env, "STRATEGIES_ACCESS_TOKEN="+cfg.AccessToken)
	}
	if cfg.ScopeClaim != "" {
		env = append(env, "STRATEGIES_JWT_SCOPE_CLAIM="+cfg.ScopeClaim)
	}
	// Hydra does not watch its stdin, so a shell does: when the test binary
	// dies, stdin reaches EOF and the shell kills its process group, Hydra
	// with it; so it does after hydraMaxLifetime.
	cmd := exec.Command("/bin/sh", "-c", hydraWatchdog, "sh", strconv.Itoa(int(hydraMaxLifetime/time.Second)),
		bin, "serve", "all", "--dev", "--sqa-opt-out")
	cmd.Env = env
	cmd.Dir = os.TempDir()
	if h.p, err = start(cmd, tail.New(64<<10)); err != nil {
		return nil, fmt.Errorf("realas: starting hydra: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := waitReady(ctx, h.p, h.Admin+"/health/ready", base+"/.well-known/openid-configuration"); err != nil {
		h.Close()
		return nil, fmt.Errorf("realas: hydra: %w; output:\n%s", err, h.Logs())
	}
	// The tokens' iss is the discovery document's issuer, spelled as Hydra
	// spells it.
	var d struct {
		Issuer string `json:"issuer"`
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/.well-known/openid-configuration", nil)
	if err := do(req, &d); err != nil || d.Issuer == "" {
		h.Close()
		return nil, fmt.Errorf("realas: hydra discovery: %v", err)
	}
	h.Issuer = d.Issuer
	return h, nil
}

// Close kills Hydra by its pid and waits for it.
func (h *Hydra) Close() { h.p.stop() }

// Done is closed once the process has exited.
func (h *Hydra) Done() <-chan struct{} { return h.p.done }

// Logs is the tail of Hydra's output (it logs no token or secret at warn).
func (h *Hydra) Logs() string { return h.p.logs.String() }

// CreateClient registers a client through the admin API; meta is Hydra's
// client JSON (client_id, client_secret, grant_types, scope, audience,
// access_token_strategy, *_lifespan, ...).
func (h *Hydra) CreateClient(ctx context.Context, meta map[string]any) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.admin(ctx, http.MethodPost, "/admin/clients", meta, nil)
}

func (h *Hydra) admin(ctx context.Context, method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, h.Admin+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return do(req, out)
}

// CodeFlow runs an authorization-code flow for f.Subject, accepting the
// login and the consent (every requested scope and f.Audience) through the
// admin API, as a login and consent app would.
func (h *Hydra) CodeFlow(ctx context.Context, f CodeFlow) (Tokens, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return runCodeFlow(ctx, h.Endpoints, f, h.approve)
}

// ClientCredentials is the package's ClientCredentials, one call at a time.
func (h *Hydra) ClientCredentials(ctx context.Context, clientID, secret, scope string, audience ...string) (Tokens, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return ClientCredentials(ctx, h.Endpoints, clientID, secret, scope, audience...)
}

// Refresh is the package's Refresh, one call at a time.
func (h *Hydra) Refresh(ctx context.Context, clientID, secret, refresh string) (Tokens, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Refresh(ctx, h.Endpoints, clientID, secret, refresh)
}

// Revoke is the package's Revoke, one call at a time.
func (h *Hydra) Revoke(ctx context.Context, clientID, secret, token string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Revoke(ctx, h.Endpoints, clientID, secret, token)
}

func (h *Hydra) approve(ctx context.Context, loc *url.URL, f CodeFlow) (string, bool, error) {
	page := loc.Scheme + "://" + loc.Host + loc.Path
	var out struct {
		RedirectTo string `json:"redirect_to"`
	}
	switch page {
	case h.LoginURL:
		c := url.QueryEscape(loc.Query().Get("login_challenge"))
		err := h.admin(ctx, http.MethodPut, "/admin/oauth2/auth/requests/login/accept?login_challenge="+c,
			map[string]any{"subject": f.Subject}, &out)
		return out.RedirectTo, true, err
	case h.ConsentURL:
		c := url.QueryEscape(loc.Query().Get("consent_challenge"))
		var scopes []string
		for _, s := range bytes.Fields([]byte(f.Scope)) {
			scopes = append(scopes, string(s))
		}
		err := h.admin(ctx, http.MethodPut, "/admin/oauth2/auth/requests/consent/accept?consent_challenge="+c,
			map[string]any{"grant_scope": scopes, "grant_access_token_audience": f.Audience}, &out)
		return out.RedirectTo, true, err
	}
	return "", false, nil
}

// StartHydraT is StartHydra for tests: it skips (fails under CI=true)
// without the binary, and closes Hydra in t.Cleanup, printing its output
// if t failed.
func StartHydraT(t testing.TB, cfg HydraConfig) *Hydra {
	t.Helper()
	SkipUnlessHydra(t)
	h, err := StartHydra(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.Close()
		if t.Failed() {
			t.Logf("hydra output:\n%s", h.Logs())
		}
	})
	return h
}

// freePort returns a loopback port that was free a moment ago (0 if none).
func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitReady polls each URL until it answers 200, the process exits, or ctx
// ends.
func waitReady(ctx context.Context, p *proc, urls ...string) error {
	for _, u := range urls {
		for {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			resp, err := httpClient.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			select {
			case <-p.done:
				return fmt.Errorf("exited before %s answered", u)
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", u, ctx.Err())
			case <-time.After(100 * time.Millisecond): // a poll interval, not a timing assumption
			}
		}
	}
	return nil
}
