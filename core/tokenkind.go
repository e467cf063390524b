package core

import (
	"errors"
	"strings"
)

// A resource server takes access tokens only. Refresh tokens are never
// sent to one (RFC 6749 section 1.5), yet some servers' introspection
// calls them active; and ID tokens look like JWT access tokens once typ
// JWT is accepted. Their claims tell them apart.

var (
	errRefreshToken = errors.New("the token marks itself as a refresh token (token_use, typ or token_type)")
	errIDToken      = errors.New("the token looks like an ID token (nonce or at_hash, or no scope, client_id nor azp)")
)

// refreshTypes are the payload typ values of Keycloak's tokens that are
// not access tokens: its refresh and offline tokens, and its ID tokens.
var refreshTypes = [...]string{"Refresh", "Offline", "ID"}

// tokenTypeURN prefixes the token types of RFC 8693 section 3.
const tokenTypeURN = "urn:ietf:params:oauth:token-type:"

// notAccessToken refuses, with ErrInvalidToken, claims that mark
// themselves as some other token: a token_use other than access_token (ORY
// Hydra), a typ of Refresh, Offline or ID (Keycloak), or a token_type that
// names a refresh token (refresh_token, or RFC 8693's URN for it).
func notAccessToken(claims map[string]any) error {
	refused := newError(ErrInvalidToken, descNotAccessToken, errRefreshToken)
	if use, present := claims["token_use"]; present && use != "access_token" {
		return refused
	}
	if typ, ok := claims["typ"].(string); ok {
		for _, t := range refreshTypes {
			if strings.EqualFold(typ, t) {
				return refused
			}
		}
	}
	if tt, ok := claims["token_type"].(string); ok {
		tt = strings.ToLower(tt)
		tt = strings.TrimPrefix(tt, tokenTypeURN)
		if tt == "refresh_token" || tt == "refresh" {
			return refused
		}
	}
	return nil
}

// notIDToken refuses, with ErrInvalidToken, a local token that looks like
// an OpenID Connect ID token rather than an access token: one that carries
// nonce or at_hash, which only ID tokens have, or that has none of a scope
// claim, client_id and azp, which every access token has one of.
func notIDToken(scopeClaim string, claims map[string]any) error {
	refused := newError(ErrInvalidToken, descNotAccessToken, errIDToken)
	for _, name := range [...]string{"nonce", "at_hash"} {
		if _, present := claims[name]; present {
			return refused
		}
	}
	for _, name := range [...]string{"client_id", "azp"} {
		if claims[name] != nil {
			return nil
		}
	}
	if name := scopeClaimOf(scopeClaim, claims); claims[name] != nil {
		return nil
	}
	return refused
}
