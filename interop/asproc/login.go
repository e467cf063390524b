package asproc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxRedirects bounds the redirects of one authorization request: two
// interactions (login, consent) take six.
const maxRedirects = 12

// Browser is a headless user agent: a cookie jar and a client that follows
// no redirect by itself. Its logins share one session at the AS, as the
// tabs of one browser do: a second authorization request may be answered
// from the session, without a login, unless it asks for one (LoginRequest's
// Prompt or MaxAge). A Browser is not safe for concurrent use.
type Browser struct {
	as     *AS
	client *http.Client
}

// NewBrowser returns a Browser with an empty cookie jar: no session yet.
func (a *AS) NewBrowser() *Browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &Browser{as: a, client: &http.Client{
		Jar:           jar,
		Timeout:       clientTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// CodeFlowClient is the oidc-provider registration of a confidential
// client of the authorization code flow, as LoginRequest describes it
// (client_secret_post at the token endpoint), with its one redirect URI
// and the scopes it may ask for.
func CodeFlowClient(clientID, secret, redirectURI, scope string) map[string]any {
	return map[string]any{
		"client_id":                  clientID,
		"client_secret":              secret,
		"grant_types":                []string{"authorization_code"},
		"response_types":             []string{"code"},
		"redirect_uris":              []string{redirectURI},
		"token_endpoint_auth_method": "client_secret_post",
		"scope":                      scope,
	}
}

// LoginRequest describes one authorization code flow (RFC 6749 section
// 4.1, with PKCE S256 and state) for a confidential client that uses
// client_secret_post at the token endpoint.
type LoginRequest struct {
	// ClientID, Secret and RedirectURI are the client's registration; the
	// browser stops at RedirectURI and never requests it.
	ClientID, Secret, RedirectURI string
	// Scope is the requested scope, e.g. "openid groups".
	Scope string
	// Resource, if set, is the RFC 8707 resource indicator of the
	// authorization and token requests: for a resource of
	// Config.ResourceServers the access token is an at+jwt.
	Resource string
	// ACRValues is the authorization request's acr_values (nil: not sent).
	ACRValues []string
	// MaxAge is the authorization request's max_age in whole seconds
	// (0: not sent). The AS asks for a new login when the session's is
	// older.
	MaxAge time.Duration
	// Prompt is the authorization request's prompt, e.g. "login" ("":
	// not sent).
	Prompt string
	// Account, ACR and Age are what the user does if the AS asks for a
	// login: the account that logs in, the acr the login page records
	// ("" for none), and how long ago the login happened (0: now; whole
	// seconds), as an older login of the same session would.
	Account string
	ACR     string
	Age     time.Duration
}

// LoginResult is the outcome of a code flow.
type LoginResult struct {
	TokenResponse
	// IDToken is the token endpoint's id_token (scope openid).
	IDToken string
	// Prompts lists, in order, the interactions the AS asked for: "login",
	// "consent", or none when the session answered.
	Prompts []string
}

// tokenAnswer is the token endpoint's answer to the code exchange.
type tokenAnswer struct {
	TokenResponse
	IDToken string `json:"id_token"`
}

// Login runs the authorization code flow: it follows the AS's redirects,
// answers its login and consent prompts through the test-only interaction
// pages, stops at the client's redirect URI and exchanges the code. The
// tokens' acr and auth_time come from the login: oidc-provider keeps
// them in the session and copies them into the code and the tokens.
func (b *Browser) Login(ctx context.Context, r LoginRequest) (LoginResult, error) {
	authz, _ := b.as.discovery["authorization_endpoint"].(string)
	if authz == "" {
		return LoginResult{}, errors.New("asproc: no authorization_endpoint in discovery")
	}
	state, verifier := randomString(), randomString()
	challenge := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {r.ClientID},
		"redirect_uri":          {r.RedirectURI},
		"scope":                 {r.Scope},
		"state":                 {state},
		"nonce":                 {randomString()},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(challenge[:])},
		"code_challenge_method": {"S256"},
	}
	setIf(q, "resource", r.Resource)
	setIf(q, "acr_values", strings.Join(r.ACRValues, " "))
	setIf(q, "prompt", r.Prompt)
	if r.MaxAge > 0 {
		q.Set("max_age", strconv.FormatInt(int64(r.MaxAge/time.Second), 10))
	}
	var res LoginResult
	next := authz + "?" + q.Encode()
	for range maxRedirects {
		if strings.HasPrefix(next, r.RedirectURI+"?") {
			code, err := codeFrom(next, state)
			if err != nil {
				return LoginResult{}, err
			}
			form := url.Values{
				"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {r.RedirectURI},
				"code_verifier": {verifier}, "client_id": {r.ClientID}, "client_secret": {r.Secret},
			}
			setIf(form, "resource", r.Resource)
			var t tokenAnswer
			err = b.as.postForm(ctx, b.as.TokenURL(), form, nil, &t)
			res.TokenResponse, res.IDToken = t.TokenResponse, t.IDToken
			return res, err
		}
		u, err := url.Parse(next)
		if err != nil {
			return LoginResult{}, fmt.Errorf("asproc: code flow: bad redirect: %w", err)
		}
		if strings.HasPrefix(u.Path, "/test/interaction/") {
			prompt, err := b.prompt(ctx, u)
			if err != nil {
				return LoginResult{}, err
			}
			res.Prompts = append(res.Prompts, prompt)
			u = u.JoinPath(prompt)
			if prompt == "login" {
				u.RawQuery = url.Values{"account": {r.Account}, "acr": {r.ACR},
					"age": {strconv.FormatInt(int64(r.Age/time.Second), 10)}}.Encode()
			}
		}
		if next, err = b.redirect(ctx, u); err != nil {
			return LoginResult{}, err
		}
	}
	return LoginResult{}, errors.New("asproc: code flow: too many redirects")
}

// prompt asks the interaction page u which prompt the AS wants answered.
func (b *Browser) prompt(ctx context.Context, u *url.URL) (string, error) {
	resp, err := b.get(ctx, u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Prompt string `json:"prompt"`
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err == nil {
		err = json.Unmarshal(body, &out)
	}
	if err != nil || (out.Prompt != "login" && out.Prompt != "consent") {
		return "", fmt.Errorf("asproc: code flow: interaction page: %v, prompt %q", err, out.Prompt)
	}
	return out.Prompt, nil
}

// redirect requests u and returns the absolute URL of the redirect the AS
// answered with.
func (b *Browser) redirect(ctx context.Context, u *url.URL) (string, error) {
	resp, err := b.get(ctx, u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	loc := resp.Header.Get("Location")
	if resp.StatusCode/100 != 3 || loc == "" {
		return "", fmt.Errorf("asproc: code flow: %s answered %d without a redirect", u.Path, resp.StatusCode)
	}
	l, err := u.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("asproc: code flow: bad Location: %w", err)
	}
	return l.String(), nil
}

func (b *Browser) get(ctx context.Context, u *url.URL) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("asproc: code flow: GET %s: %w", u.Path, err)
	}
	return resp, nil
}

// codeFrom reads the code from the redirect back to the client, which must
// carry state and no error.
func codeFrom(back, state string) (string, error) {
	u, err := url.Parse(back)
	if err != nil {
		return "", fmt.Errorf("asproc: code flow: bad redirect: %w", err)
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("asproc: code flow: authorization error %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != state || q.Get("code") == "" {
		return "", errors.New("asproc: code flow: no code, or the state changed")
	}
	return q.Get("code"), nil
}

func setIf(q url.Values, name, value string) {
	if value != "" {
		q.Set(name, value)
	}
}

// randomString is 32 random bytes, base64url: a state, nonce or PKCE
// code verifier (43 characters, as RFC 7636 section 4.1 allows).
func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
