package main

import (
	"context"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// authRequest is one authorization-code flow in progress.
type authRequest struct {
	id        string
	req       oidc.AuthRequest
	audience  []string
	subject   string
	authTime  time.Time
	done      bool
	challenge *oidc.CodeChallenge
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string                 { return a.audience }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.req.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string                      { return a.req.Nonce }
func (a *authRequest) GetRedirectURI() string                { return a.req.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.req.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.req.ResponseMode }
func (a *authRequest) GetScopes() []string                   { return a.req.Scopes }
func (a *authRequest) GetState() string                      { return a.req.State }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

// loginHandler stands in for a login page: it approves the request at once,
// for the user named by the request's login_hint ("user-1" without one),
// and sends the browser back to the provider's callback.
func loginHandler(s *storage, callback func(context.Context, string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("authRequestID")
		if !s.approve(id) {
			http.Error(w, "unknown auth request", http.StatusBadRequest)
			return
		}
		ctx := contextWithIssuer(r.Context(), s.issuer)
		http.Redirect(w, r, callback(ctx, id), http.StatusFound)
	})
}

// ccRequest is a client_credentials token request: the client is the
// subject.
type ccRequest struct {
	clientID string
	audience []string
	scopes   []string
}

func (c *ccRequest) GetSubject() string    { return c.clientID }
func (c *ccRequest) GetAudience() []string { return c.audience }
func (c *ccRequest) GetScopes() []string   { return c.scopes }

// refreshRequest is a refresh_token grant's view of a stored refresh token.
type refreshRequest struct{ rt *refreshToken }

func (r *refreshRequest) GetAMR() []string            { return []string{"pwd"} }
func (r *refreshRequest) GetAudience() []string       { return r.rt.audience }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.rt.authTime }
func (r *refreshRequest) GetClientID() string         { return r.rt.clientID }
func (r *refreshRequest) GetScopes() []string         { return r.rt.scopes }
func (r *refreshRequest) GetSubject() string          { return r.rt.subject }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.rt.scopes = s }
