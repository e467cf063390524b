package asproc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// TokenRequest is the body of the test-only POST /test/token route.
type TokenRequest struct {
	// AccountID becomes the token's subject (introspection "sub").
	AccountID string `json:"accountId"`
	// ClientID is the client the token is issued to (introspection
	// "client_id"); it must be one of Config.Clients.
	ClientID string `json:"clientId"`
	// Scope is the space-separated scope of the token.
	Scope string `json:"scope,omitempty"`
	// TTL is the lifetime in whole seconds (0 means the AS default).
	TTL int `json:"ttl,omitempty"`
	// Audience, if set, is returned as the introspection "aud".
	Audience string `json:"aud,omitempty"`
	// Extra claims are merged into the introspection response, e.g.
	// {"groups": ["admins"]}.
	Extra map[string]any `json:"extra,omitempty"`
	// Kind "refresh" saves a refresh token instead of an access token (its
	// value is returned as AccessToken); Audience is then ignored.
	Kind string `json:"kind,omitempty"`
}

// TokenResponse is what the token endpoint and /test/token return.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// MintToken saves an opaque access token for accountID issued to clientID
// (with a Grant, as a browser flow would) and returns its value. ttl is
// rounded up to whole seconds; 0 means the AS default.
func (a *AS) MintToken(ctx context.Context, accountID, clientID, scope string, ttl time.Duration) (string, error) {
	resp, err := a.Mint(ctx, TokenRequest{
		AccountID: accountID,
		ClientID:  clientID,
		Scope:     scope,
		TTL:       int((ttl + time.Second - 1) / time.Second),
	})
	return resp.AccessToken, err
}

// Mint is MintToken with every /test/token option.
func (a *AS) Mint(ctx context.Context, req TokenRequest) (TokenResponse, error) {
	var out TokenResponse
	err := a.postJSON(ctx, "/test/token", req, &out)
	return out, err
}

// RefreshJWKS makes the AS forget its cached copy of clientID's jwks_uri and
// fetch it again now (oidc-provider otherwise caches it for at least 60 s).
// It returns the key ids the AS now knows for that client.
func (a *AS) RefreshJWKS(ctx context.Context, clientID string) ([]string, error) {
	var out struct {
		Kids []string `json:"kids"`
	}
	err := a.postJSON(ctx, "/test/refresh-jwks", map[string]string{"client_id": clientID}, &out)
	return out.Kids, err
}

// ClientCredentials runs the client_credentials grant at the token endpoint
// with client_secret_post and returns the access token (it has no sub).
func (a *AS) ClientCredentials(ctx context.Context, clientID, secret, scope string) (string, error) {
	return a.ClientCredentialsFor(ctx, clientID, secret, scope, "")
}

// ClientCredentialsFor is ClientCredentials with an RFC 8707 resource
// indicator ("" for none). For a resource of Config.ResourceServers the
// token is an RFC 9068 JWT (typ at+jwt) with aud = resource, whose scope
// keeps the requested scopes the resource accepts, and whose sub is the
// client id. Without a resource the token stays opaque.
func (a *AS) ClientCredentialsFor(ctx context.Context, clientID, secret, scope, resource string) (string, error) {
	out, err := a.clientCredentials(ctx, clientID, secret, scope, resource, "")
	return out.AccessToken, err
}

// clientCredentials runs the client_credentials grant with
// client_secret_post, with a DPoP proof header unless proof is "".
func (a *AS) clientCredentials(ctx context.Context, clientID, secret, scope, resource, proof string) (TokenResponse, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {clientID},
		"client_secret": {secret},
	}
	if scope != "" {
		form.Set("scope", scope)
	}
	if resource != "" {
		form.Set("resource", resource)
	}
	header := http.Header{}
	if proof != "" {
		header.Set("DPoP", proof)
	}
	var out TokenResponse
	err := a.postForm(ctx, a.TokenURL(), form, header, &out)
	return out, err
}

// Revoke revokes token at the RFC 7009 revocation endpoint, authenticating
// with client_secret_post. oidc-provider only lets the client the token was
// issued to revoke it.
func (a *AS) Revoke(ctx context.Context, token, clientID, secret string) error {
	form := url.Values{
		"token":         {token},
		"client_id":     {clientID},
		"client_secret": {secret},
	}
	return a.postForm(ctx, a.RevocationURL(), form, nil, nil)
}

func (a *AS) getJSON(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL+path, nil)
	if err != nil {
		return err
	}
	return a.do(req, out)
}

func (a *AS) postJSON(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return a.do(req, out)
}

// postForm posts form to endpoint with the header fields of header (if
// any) and decodes the answer into out (see do).
func (a *AS) postForm(ctx context.Context, endpoint string, form url.Values, header http.Header, out any) error {
	if endpoint == "" {
		return fmt.Errorf("asproc: endpoint not in discovery document")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return a.do(req, out)
}

// do sends req and decodes a 200 JSON answer into out (if not nil). Errors
// carry the status and the OAuth error fields, never request values.
func (a *AS) do(req *http.Request, out any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("asproc: %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("asproc: %s %s: reading body: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var oe struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &oe)
		return fmt.Errorf("asproc: %s %s: HTTP %d %s: %s", req.Method, req.URL.Path, resp.StatusCode, oe.Error, oe.Description)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("asproc: %s %s: decoding JSON: %w", req.Method, req.URL.Path, err)
	}
	return nil
}
