package devas

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
)

// client is a registered client: public, with loopback redirect URIs.
type client struct {
	name         string
	redirectURIs []string
}

// registration is the part of an RFC 7591 request the server reads.
type registration struct {
	RedirectURIs []string `json:"redirect_uris"`
	ClientName   string   `json:"client_name"`
	GrantTypes   []string `json:"grant_types"`
	Scope        string   `json:"scope"`
}

// serveRegister answers RFC 7591 dynamic client registration: every client
// is public (token_endpoint_auth_method "none", whatever it asked for: RFC
// 7591 section 3.2.1 lets the server replace a value) and every redirect
// URI must be a loopback http URI.
func (s *Server) serveRegister(w http.ResponseWriter, r *http.Request) {
	var req registration
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "The registration request is not a JSON object.")
		return
	}
	if len(req.RedirectURIs) == 0 || !allLoopback(req.RedirectURIs) {
		oauthError(w, http.StatusBadRequest, "invalid_redirect_uri",
			"This development authorization server registers loopback http redirect URIs only.")
		return
	}
	if len(req.GrantTypes) > 0 && !slices.Contains(req.GrantTypes, "authorization_code") {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata",
			"This development authorization server grants authorization codes only.")
		return
	}
	id := random()
	s.mu.Lock()
	s.clients[id] = client{name: req.ClientName, redirectURIs: slices.Clone(req.RedirectURIs)}
	s.mu.Unlock()
	resp := map[string]any{"client_id": id, "client_id_issued_at": s.now().Unix(),
		"redirect_uris": req.RedirectURIs, "token_endpoint_auth_method": "none",
		"grant_types": []string{"authorization_code"}, "response_types": []string{"code"}}
	if req.ClientName != "" {
		resp["client_name"] = req.ClientName
	}
	if req.Scope != "" {
		resp["scope"] = req.Scope
	}
	writeJSON(w, http.StatusCreated, resp)
}

// allLoopback reports whether every URI is an absolute http URI on a
// loopback host (127.0.0.0/8, ::1 or localhost), without a fragment, as
// RFC 8252 section 7.3 describes native apps' redirect URIs.
func allLoopback(uris []string) bool {
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "http" || u.Fragment != "" || u.User != nil {
			return false
		}
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return false
		}
	}
	return true
}
