package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// accessToken is what the storage keeps of an issued access token; the
// token value itself is a JWT or op's encrypted "id:subject".
type accessToken struct {
	id, clientID, subject string
	audience, scopes      []string
	issued, expires       time.Time
}

type refreshToken struct {
	token, clientID, subject string
	audience, scopes         []string
	authTime                 time.Time
	accessID                 string
}

// storage is an in-memory op.Storage with client_credentials support.
type storage struct {
	issuer  string
	key     *rsa.PrivateKey
	kid     string
	clients map[string]client

	mu       sync.Mutex
	requests map[string]*authRequest
	codes    map[string]string // code → auth request id
	tokens   map[string]*accessToken
	refresh  map[string]*refreshToken
}

var (
	_ op.Storage                  = (*storage)(nil)
	_ op.ClientCredentialsStorage = (*storage)(nil)
)

var (
	errNotFound      = errors.New("not found")
	errBadCredential = errors.New("unknown client or wrong secret")
)

func newStorage(issuer string, clients []clientConfig) (*storage, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s := &storage{
		issuer: issuer, key: key, kid: uuid.NewString(),
		clients:  map[string]client{},
		requests: map[string]*authRequest{}, codes: map[string]string{},
		tokens: map[string]*accessToken{}, refresh: map[string]*refreshToken{},
	}
	for _, c := range clients {
		s.clients[c.ID] = client{c}
	}
	return s, nil
}

func contextWithIssuer(ctx context.Context, issuer string) context.Context {
	return op.ContextWithIssuer(ctx, issuer)
}

func (s *storage) Health(context.Context) error { return nil }

// approve marks an authorization request as authenticated.
func (s *storage) approve(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return false
	}
	a.subject = a.req.LoginHint
	if a.subject == "" {
		a.subject = "user-1"
	}
	a.authTime, a.done = time.Now(), true
	return true
}

func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[req.ClientID]
	if !ok {
		return nil, errNotFound
	}
	a := &authRequest{id: uuid.NewString(), req: *req, audience: c.audience()}
	if req.CodeChallenge != "" {
		a.challenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	s.requests[a.id] = a
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.requests[id]; ok {
		return a, nil
	}
	return nil, errNotFound
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errNotFound
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

// clientOf names the client a token request belongs to.
func clientOf(req op.TokenRequest) string {
	switch r := req.(type) {
	case *authRequest:
		return r.GetClientID()
	case *ccRequest:
		return r.clientID
	case *refreshRequest:
		return r.rt.clientID
	}
	return ""
}

// newAccessToken stores an access token for req with its client's lifetime.
func (s *storage) newAccessToken(req op.TokenRequest) *accessToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := clientOf(req)
	now := time.Now()
	t := &accessToken{
		id: uuid.NewString(), clientID: id, subject: req.GetSubject(),
		audience: slices.Clone(req.GetAudience()), scopes: slices.Clone(req.GetScopes()),
		issued: now, expires: now.Add(s.clients[id].ttl()),
	}
	s.tokens[t.id] = t
	return t
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	t := s.newAccessToken(req)
	return t.id, t.expires, nil
}

func (s *storage) CreateAccessAndRefreshTokens(_ context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	t := s.newAccessToken(req)
	s.mu.Lock()
	defer s.mu.Unlock()
	var authTime time.Time
	if a, ok := req.(*authRequest); ok {
		authTime = a.authTime
	}
	if old, ok := s.refresh[current]; ok {
		delete(s.refresh, current)
		delete(s.tokens, old.accessID)
		authTime = old.authTime
	}
	rt := &refreshToken{
		token: uuid.NewString(), clientID: t.clientID, subject: t.subject,
		audience: t.audience, scopes: t.scopes, authTime: authTime, accessID: t.id,
	}
	s.refresh[rt.token] = rt
	return t.id, rt.token, t.expires, nil
}

func (s *storage) TokenRequestByRefreshToken(_ context.Context, token string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt, ok := s.refresh[token]; ok {
		return &refreshRequest{rt}, nil
	}
	return nil, errNotFound
}

func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && t.clientID == clientID {
			delete(s.tokens, id)
		}
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(_ context.Context, _ string, token string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt, ok := s.refresh[token]; ok {
		return rt.subject, rt.token, nil
	}
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) RevokeToken(_ context.Context, tokenOrID, _ string, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenOrID]; ok {
		if t.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		delete(s.tokens, tokenOrID)
		return nil
	}
	if rt, ok := s.refresh[tokenOrID]; ok {
		if rt.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		delete(s.refresh, tokenOrID)
		delete(s.tokens, rt.accessID)
	}
	return nil
}
