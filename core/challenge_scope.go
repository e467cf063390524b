package core

import (
	"net/http"
	"slices"
	"strings"
	"sync"
)

// challengeScope is the scope attribute of e's challenge under class c
// (see ErrorResponse): a 403 lists the scopes the request needs, a 401 of
// a server with Settings.Resource the metadata's scopes_supported. A nil
// rs knows only the rule that failed.
func (rs *ResourceServer) challengeScope(e *authError, c *errorClass) string {
	switch {
	case c.status == http.StatusForbidden && rs == nil:
		return e.scope
	case c.status == http.StatusForbidden:
		return neededScopes(rs.serverScopes, rs.routeScopes.list(), e)
	case c.status == http.StatusUnauthorized && rs != nil && rs.metadata != nil:
		return rs.metadata.scopeAttr()
	}
	return ""
}

// neededScopes is the scope attribute of a 403: every scope the request
// needs, in a fixed order (server first, then route) and each once. When
// a route's rule failed (e.fromRoute), the server's rule held: its part is
// the scopes of server the token holds. When the server's rule failed, its
// part is the scopes it names (e.scope), and the route's, not yet known,
// is the token's scopes that some route rule names (routes).
func neededScopes(server, routes []string, e *authError) string {
	held := splitScopeClaim(e.held)
	rule := splitScopeClaim(e.scope)
	var out []string
	add := func(from []string, only []string) {
		for _, s := range from {
			if (only == nil || slices.Contains(only, s)) && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	if e.fromRoute {
		if held != nil {
			add(server, held)
		}
		add(rule, nil)
	} else {
		add(rule, nil)
		if held != nil {
			add(routes, held)
		}
	}
	return strings.Join(out, " ")
}

// scopeSet is the scopes of every per-route rule of a ResourceServer, in
// the order they were first advertised.
type scopeSet struct {
	mu     sync.RWMutex
	scopes []string
}

func (s *scopeSet) add(scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range scopes {
		if !slices.Contains(s.scopes, sc) {
			s.scopes = append(s.scopes, sc)
		}
	}
}

// list returns the scopes; the caller must not change the slice.
func (s *scopeSet) list() []string {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.scopes[:len(s.scopes):len(s.scopes)]
}

// serverScopesOf is OIDC_RS_SCOPES of s and of every further
// configuration, each scope once: a token that passed one configuration's
// rule holds some of them.
func serverScopesOf(s Settings, extra []Settings) []string {
	out := slices.Clone(s.Scopes)
	for _, e := range extra {
		for _, sc := range e.Scopes {
			if !slices.Contains(out, sc) {
				out = append(out, sc)
			}
		}
	}
	return out
}
