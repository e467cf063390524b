package oidcrstest

import (
	"encoding/json"
	"net/http"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// serveIntrospect answers POST /introspect: RFC 7662 JSON, or in JWT mode
// the RFC 9701 answer (see EncryptAnswer), after the fault and the
// function of SetAnswerFunc, if any, had their say.
func (s *Server) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	s.introspections.Add(1)
	if s.applyFault(w, r, s.fault.Load()) {
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	if !s.clientOK(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client"})
		return
	}
	tok := r.PostForm.Get("token")
	s.mu.Lock()
	claims, ok := s.toks[tok]
	s.mu.Unlock()
	if !ok {
		claims = map[string]any{"active": false}
	}
	if h := s.hook.Load(); h != nil {
		status, ctype, body := (*h)(tok, claims)
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	if s.cfg.Mode == JSON {
		writeJSON(w, http.StatusOK, claims)
		return
	}
	if !strings.Contains(r.Header.Get("Accept"), "application/token-introspection+jwt") {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	body, err := s.EncryptAnswer(claims)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "server_error"})
		return
	}
	w.Header().Set("Content-Type", "application/token-introspection+jwt")
	_, _ = w.Write([]byte(body))
}

func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	s.jwksCalls.Add(1)
	if s.applyFault(w, r, s.jwksFault.Load()) {
		return
	}
	s.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, k := range s.sig {
		set.Keys = append(set.Keys, k.Public())
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
