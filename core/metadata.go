package core

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// The RFC 9728 protected-resource metadata of a resource server with
// Settings.Resource: what MCP clients (and any OAuth client) read to learn
// which authorization server to ask, for which scopes.

const (
	wellKnownResource      = "/.well-known/oauth-protected-resource"
	metadataCacheControl   = "public, max-age=3600"
	metadataAllowedMethods = "GET, HEAD, OPTIONS"
)

// metadataLocation returns the metadata's path and absolute URL for a
// resource (RFC 9728 section 3.1): the well-known segment goes between
// the host and the resource's path, so https://api.example/mcp has
// https://api.example/.well-known/oauth-protected-resource/mcp.
func metadataLocation(resource string) (path, absolute string) {
	u, err := url.Parse(resource)
	if err != nil || resource == "" {
		return "", ""
	}
	path = wellKnownResource + strings.TrimSuffix(u.EscapedPath(), "/")
	return path, u.Scheme + "://" + u.Host + path
}

// metadata serves the document; scopes grow as routes advertise theirs.
type metadata struct {
	path, url string
	doc       map[string]any

	mu     sync.RWMutex
	scopes []string
	body   []byte // nil until built, rebuilt when scopes change
	attr   string // scopes, space separated: a 401's scope attribute
}

func newMetadata(s Settings, hasKey bool) *metadata {
	path, abs := metadataLocation(s.Resource)
	if path == "" {
		return nil
	}
	servers := s.AuthorizationServers
	if len(servers) == 0 {
		servers = []string{s.Issuer}
	}
	doc := map[string]any{"resource": s.Resource, "authorization_servers": servers,
		"bearer_methods_supported": []string{"header"}}
	if hasKey {
		u, _ := url.Parse(s.Resource)
		doc["jwks_uri"] = u.Scheme + "://" + u.Host + "/jwks"
	}
	if s.DPoP != DPoPOff && s.ExternalURL != "" { // RFC 9728 section 2
		doc["dpop_signing_alg_values_supported"] = strings.Fields(dpopAlgs)
		if s.DPoP == DPoPRequired {
			doc["dpop_bound_access_tokens_required"] = true
		}
	}
	if s.ResourceName != "" {
		doc["resource_name"] = s.ResourceName
	}
	if s.ResourceDocumentation != "" {
		doc["resource_documentation"] = s.ResourceDocumentation
	}
	return &metadata{path: path, url: abs, doc: doc, scopes: slices.Clone(s.Scopes), attr: strings.Join(s.Scopes, " ")}
}

// advertise adds scopes to scopes_supported.
func (m *metadata) advertise(scopes []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sc := range scopes {
		if !slices.Contains(m.scopes, sc) {
			m.scopes, m.body = append(m.scopes, sc), nil
		}
	}
	m.attr = strings.Join(m.scopes, " ")
}

// scopeAttr is scopes_supported, space separated.
func (m *metadata) scopeAttr() string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.attr
}

func (m *metadata) document() []byte {
	m.mu.RLock()
	b := m.body
	m.mu.RUnlock()
	if b != nil {
		return b
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	doc := make(map[string]any, len(m.doc)+1)
	for k, v := range m.doc {
		doc[k] = v
	}
	doc["scopes_supported"] = slices.Clone(m.scopes)
	m.body, _ = json.Marshal(doc)
	return m.body
}

// ServeHTTP answers GET and HEAD with the document, OPTIONS with 204: the
// metadata is public, so any origin may read it.
func (m *metadata) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	switch r.Method {
	case http.MethodOptions:
		h.Set("Access-Control-Allow-Methods", metadataAllowedMethods)
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet, http.MethodHead:
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", metadataCacheControl)
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(m.document())
		}
	default:
		h.Set("Allow", metadataAllowedMethods)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	}
}

// MetadataPath is the path at which the RFC 9728 protected-resource
// metadata is served (derived from Settings.Resource as RFC 9728 section
// 3.1 says), or "" without a resource. The adapters' RegisterRoutes mount
// MetadataHandler there.
func (rs *ResourceServer) MetadataPath() string {
	if rs == nil || rs.metadata == nil {
		return ""
	}
	return rs.metadata.path
}

// MetadataHandler serves the RFC 9728 protected-resource metadata
// (resource, authorization_servers, scopes_supported,
// bearer_methods_supported; dpop_signing_alg_values_supported when DPoP
// is taken, and dpop_bound_access_tokens_required when it is required;
// jwks_uri, resource_name and resource_documentation when set), with CORS
// for any origin. Without a resource it answers 404.
func (rs *ResourceServer) MetadataHandler() http.Handler {
	if rs == nil || rs.metadata == nil {
		return http.NotFoundHandler()
	}
	return rs.metadata
}

// AdvertiseScopes adds the scopes of a per-route rule to the metadata's
// scopes_supported, so that clients learn which to ask for. Every
// RequireScopes (core's and the adapters') calls it; call it yourself for
// rules checked by hand with ScopeRequirement.Check.
func (rs *ResourceServer) AdvertiseScopes(req ScopeRequirement) {
	if rs == nil || req.invalid {
		return
	}
	if rs.routeScopes != nil {
		rs.routeScopes.add(req.scopes)
	}
	if rs.metadata != nil {
		rs.metadata.advertise(req.scopes)
	}
}
