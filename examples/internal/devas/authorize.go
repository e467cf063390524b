package devas

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// grant is what an authorization code stands for.
type grant struct {
	clientID, redirectURI, challenge string
	scope                            []string
	resource                         string
	expires                          time.Time
}

// approvedNotice is the body of the 302 that approves a request: consent
// is automatic, and the answer says so.
const approvedNotice = "Approved automatically by the development authorization server: the redirect URI is on loopback. " +
	"Development only: set OIDC_OP_URL to use a real authorization server.\n"

// serveAuthorize answers the authorization endpoint. A request that names
// no registered client or redirect URI gets a 400 page (RFC 6749 section
// 4.1.2.1 forbids redirecting it); any other error goes back to the client
// as error= on its redirect URI; a valid request is approved by itself:
// a direct 302 with a code, since the redirect URI is on loopback (every
// registered one is).
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	c, ok := s.clients[q.Get("client_id")]
	s.mu.Unlock()
	redirect := q.Get("redirect_uri")
	if redirect == "" && ok && len(c.redirectURIs) == 1 {
		redirect = c.redirectURIs[0]
	}
	if !ok || !slices.Contains(c.redirectURIs, redirect) {
		http.Error(w, "Unknown client_id or redirect_uri: register first (RFC 7591, POST /register).", http.StatusBadRequest)
		return
	}
	back := func(params url.Values) {
		u, _ := url.Parse(redirect) // parsed at registration
		v := u.Query()
		for k, vs := range params {
			v[k] = vs
		}
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		v.Set("iss", s.URL) // RFC 9207
		u.RawQuery = v.Encode()
		w.Header().Set("Location", u.String())
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusFound)
	}
	fail := func(code, description string) {
		back(url.Values{"error": {code}, "error_description": {description}})
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "Only response_type=code is supported.")
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		fail("invalid_request", "PKCE is required, with code_challenge_method=S256.")
		return
	case len(q["resource"]) > 1 || (q.Get("resource") != "" && !slices.Contains(s.cfg.Resources, q.Get("resource"))):
		fail("invalid_target", "The resource is not one this development authorization server serves.")
		return
	}
	g := grant{clientID: q.Get("client_id"), redirectURI: redirect, challenge: q.Get("code_challenge"),
		scope: s.grantable(q.Get("scope")), resource: q.Get("resource"), expires: s.now().Add(codeTTL)}
	code := random()
	s.mu.Lock()
	for k, old := range s.codes {
		if s.now().After(old.expires) {
			delete(s.codes, k)
		}
	}
	s.codes[code] = g
	s.mu.Unlock()
	s.cfg.Log.Info("development authorization server: approved automatically (loopback redirect URI)",
		slog.String("client_name", c.name), slog.String("scope", strings.Join(g.scope, " ")),
		slog.String("resource", g.resource))
	back(url.Values{"code": {code}})
	_, _ = fmt.Fprint(w, approvedNotice)
}

// grantable returns the requested scopes that Config.Scopes holds, in the
// order asked, each once; the others are dropped, as RFC 6749 section 3.3
// allows (the token response says which were granted).
func (s *Server) grantable(requested string) []string {
	var out []string
	for _, sc := range strings.Fields(requested) {
		if slices.Contains(s.cfg.Scopes, sc) && !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}
