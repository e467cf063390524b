package asproc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Proof describes a DPoP proof JWT (RFC 9449 section 4.2) for Proof.Sign.
// The zero values of JTI and IssuedAt are filled in; the other fields are
// written as they are, so a test can build a wrong proof on purpose.
type Proof struct {
	// Method is the htm claim, e.g. "GET" or "POST".
	Method string
	// URI is the htu claim: the request URI without query and fragment.
	URI string
	// AccessToken, if set, gives the ath claim: base64url(SHA-256 of it).
	// Empty means no ath, as in a proof sent to a token endpoint.
	AccessToken string
	// JTI is the jti claim ("" means 16 random bytes, base64url).
	JTI string
	// IssuedAt is the iat claim (zero means now).
	IssuedAt time.Time
}

// Sign returns p as a compact JWS signed by key, with typ dpop+jwt and the
// public key as the jwk header. key is an *ecdsa.PrivateKey (ES256, ES384
// or ES512 by its curve) or an ed25519.PrivateKey (EdDSA); oidc-provider
// accepts ES256 and EdDSA by default.
func (p Proof) Sign(key crypto.Signer) (string, error) {
	alg, err := proofAlg(key)
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		return "", fmt.Errorf("asproc: DPoP signer: %w", err)
	}
	if p.JTI == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		p.JTI = base64.RawURLEncoding.EncodeToString(b)
	}
	if p.IssuedAt.IsZero() {
		p.IssuedAt = time.Now()
	}
	claims := map[string]any{"jti": p.JTI, "htm": p.Method, "htu": p.URI, "iat": p.IssuedAt.Unix()}
	if p.AccessToken != "" {
		claims["ath"] = TokenHash(p.AccessToken)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("asproc: signing DPoP proof: %w", err)
	}
	return jws.CompactSerialize()
}

// TokenHash is the ath of an access token: base64url(SHA-256(token)).
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of key's public key,
// base64url: the cnf.jkt of a token bound to key.
func Thumbprint(key crypto.Signer) (string, error) {
	jwk := jose.JSONWebKey{Key: key.Public()}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("asproc: thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

func proofAlg(key crypto.Signer) (jose.SignatureAlgorithm, error) {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return jose.ES256, nil
		case elliptic.P384():
			return jose.ES384, nil
		case elliptic.P521():
			return jose.ES512, nil
		}
	case ed25519.PrivateKey:
		return jose.EdDSA, nil
	}
	return "", fmt.Errorf("asproc: no DPoP alg for a %T key", key)
}

// ClientCredentialsDPoP is ClientCredentialsFor with a DPoP proof signed by
// key (htm POST, htu the token endpoint): the AS binds the token to key
// (cnf.jkt = Thumbprint(key)) and answers token_type DPoP, which is
// checked. resource "" gives an opaque token, whose introspection answer
// carries cnf.jkt and token_type DPoP; a resource of
// Config.ResourceServers gives an at+jwt whose cnf.jkt is in its claims.
func (a *AS) ClientCredentialsDPoP(ctx context.Context, clientID, secret, scope, resource string, key crypto.Signer) (string, error) {
	proof, err := Proof{Method: "POST", URI: a.TokenURL()}.Sign(key)
	if err != nil {
		return "", err
	}
	out, err := a.clientCredentials(ctx, clientID, secret, scope, resource, proof)
	if err != nil {
		return "", err
	}
	if out.TokenType != "DPoP" {
		return "", fmt.Errorf("asproc: token endpoint answered token_type %q, not DPoP", out.TokenType)
	}
	return out.AccessToken, nil
}
