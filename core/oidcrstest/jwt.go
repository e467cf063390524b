package oidcrstest

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// RotateSigningKey adds a new signing key for Config.SigningAlg and signs
// with it from now on; the JWKS serves it first and keeps the old ones.
func (s *Server) RotateSigningKey() error {
	jwk, err := s.newSigningJWK()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.sig = append([]jose.JSONWebKey{jwk}, s.sig...)
	s.mu.Unlock()
	return nil
}

// ReplaceSigningKey replaces every signing key by a new one under the
// current key's kid, as an authorization server that names its keys after
// their alg (node oidc-provider) does across a restart: the JWKS serves
// the new key alone, under the old kid.
func (s *Server) ReplaceSigningKey() error {
	jwk, err := s.newSigningJWK()
	if err != nil {
		return err
	}
	s.mu.Lock()
	jwk.KeyID = s.sig[0].KeyID
	s.sig = []jose.JSONWebKey{jwk}
	s.mu.Unlock()
	return nil
}

// newSigningJWK makes a signing key for Config.SigningAlg, its kid the
// key's RFC 7638 thumbprint.
func (s *Server) newSigningJWK() (jose.JSONWebKey, error) {
	k, err := newSigningKey(string(s.cfg.SigningAlg))
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	jwk := jose.JSONWebKey{Key: k, Algorithm: string(s.cfg.SigningAlg), Use: "sig"}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	return jwk, nil
}

// SigningKey returns the current private signing key.
func (s *Server) SigningKey() jose.JSONWebKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sig[0]
}

// EncryptAnswer builds the RFC 9701 answer for an introspection answer, as
// node oidc-provider does: a JWS (typ token-introspection+jwt, kid) over
// {iss, aud, iat, token_introspection}, encrypted to the resource server's
// key with cty JWT, kid, iss and aud in the JWE header.
func (s *Server) EncryptAnswer(answer map[string]any) (string, error) {
	claims := map[string]any{"iss": s.URL, "aud": s.cfg.ClientID, "iat": time.Now().Unix(), "token_introspection": answer}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := s.Sign(payload, nil)
	if err != nil {
		return "", err
	}
	return s.Encrypt([]byte(jws), nil)
}

// Sign signs payload with the current signing key and the JWS header
// typ token-introspection+jwt and kid, plus extra (which may override
// them).
func (s *Server) Sign(payload []byte, extra map[jose.HeaderKey]any) (string, error) {
	k := s.SigningKey()
	opts := (&jose.SignerOptions{}).WithType("token-introspection+jwt").WithHeader("kid", k.KeyID)
	for h, v := range extra {
		opts.WithHeader(h, v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: s.cfg.SigningAlg, Key: k.Key}, opts)
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// Encrypt encrypts plaintext to the resource server's key with
// Config.KeyAlg and Config.ContentEnc, the JWE header carrying cty JWT,
// the key's kid, iss and aud, plus extra.
func (s *Server) Encrypt(plaintext []byte, extra map[jose.HeaderKey]any) (string, error) {
	key, err := s.resourceServerKey()
	if err != nil {
		return "", err
	}
	opts := (&jose.EncrypterOptions{}).WithContentType("JWT").WithHeader("iss", s.URL).WithHeader("aud", s.cfg.ClientID)
	for h, v := range extra {
		opts.WithHeader(h, v)
	}
	enc, err := jose.NewEncrypter(s.cfg.ContentEnc,
		jose.Recipient{Algorithm: s.cfg.KeyAlg, Key: key.Key, KeyID: key.KeyID}, opts)
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt(plaintext)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// resourceServerKey returns the resource server's key: given, or fetched
// from Config.RSJWKSURL (the first use:enc key whose alg is KeyAlg, as
// node oidc-provider picks it).
func (s *Server) resourceServerKey() (*jose.JSONWebKey, error) {
	s.mu.Lock()
	k := s.rsKey
	s.mu.Unlock()
	if k != nil {
		return k, nil
	}
	if s.cfg.RSJWKSURL == "" {
		return nil, errors.New("oidcrstest: no resource server key (set Config.RSJWKSURL or RSKey)")
	}
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(s.cfg.RSJWKSURL)
	if err != nil {
		return nil, fmt.Errorf("oidcrstest: fetching the resource server JWKS: %w", err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&set) != nil {
		return nil, errors.New("oidcrstest: the resource server JWKS is unusable")
	}
	for i := range set.Keys {
		if set.Keys[i].Use == "enc" && set.Keys[i].Algorithm == string(s.cfg.KeyAlg) {
			s.mu.Lock()
			s.rsKey = &set.Keys[i]
			s.mu.Unlock()
			return &set.Keys[i], nil
		}
	}
	return nil, errors.New("oidcrstest: no suitable encryption key found")
}
