package app

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/examples/internal/devas"
)

// DevScope is the scope the development resource server requires.
const DevScope = "groups"

// startDev starts the development authorization server: oidcrstest's fake
// server on loopback, answering RFC 9701 JWTs encrypted to a fresh RSA key
// of the example, which it fetches from the example's /jwks on its first
// introspection. It mints two tokens to try the example with, with the
// scopes of Config.DevScopes and, when resource is set (the resource
// server's OIDC_RS_RESOURCE), that aud. Beside it, on loopback too, it
// starts the development-only login server of package devas, which MCP
// clients find through the resource server's metadata
// (authorization_servers) and log in to: it grants the scopes of the
// development tokens and tokens for resource, which oidcrstest mints.
// opts go to core.New.
func (a *App) startDev(resource string, opts []core.Option) error {
	pem, err := oidcrstest.GenerateRSAKeyPEM(2048)
	if err != nil {
		return err
	}
	a.dev, err = oidcrstest.New(oidcrstest.Config{Mode: oidcrstest.JWT, Addr: "127.0.0.1:0",
		RSJWKSURL: a.base + "/jwks", TokenTTL: 12 * time.Hour})
	if err != nil {
		return fmt.Errorf("starting the development authorization server: %w", err)
	}
	var resources []string
	if resource != "" {
		resources = []string{resource}
	}
	a.login, err = devas.New(devas.Config{Scopes: devScopes(a.devScopes), Resources: resources,
		TTL: 12 * time.Hour, Mint: a.dev.Mint, Log: a.Log})
	if err != nil {
		return fmt.Errorf("starting the development login server: %w", err)
	}
	s := a.dev.Settings(pem, DevScope)
	s.Resource = resource
	// Clients log in at the login server; the resource server still
	// introspects at oidcrstest, the issuer of the tokens.
	s.AuthorizationServers = []string{a.login.URL}
	if a.RS, err = core.New(s, opts...); err != nil {
		return err
	}
	for i, scope := range a.devScopes {
		claims := map[string]any{"scope": scope}
		if resource != "" {
			claims["aud"] = resource
		}
		a.tokens[i] = a.dev.Mint(claims)
	}
	return nil
}

// devScopes is every scope of the development tokens, each once: what
// the development login server grants.
func devScopes(tokens [2]string) []string {
	var out []string
	for _, t := range tokens {
		for _, sc := range strings.Fields(t) {
			if !slices.Contains(out, sc) {
				out = append(out, sc)
			}
		}
	}
	return out
}

// printUsage prints curl commands with the development tokens. These are
// tokens of a throw-away test server, printed on purpose; the library never
// prints or logs a token.
func (a *App) printUsage() {
	if a.dev == nil {
		return
	}
	fmt.Fprintf(a.out, "OIDC_OP_URL is not set: started a development authorization server at %s\n", a.dev.URL)
	fmt.Fprintf(a.out, "and a development-only login server at %s (OAuth clients register and log in there;\n", a.login.URL)
	fmt.Fprintln(a.out, "it approves loopback clients by itself). Set OIDC_OP_URL and the other OIDC_* variables to use")
	fmt.Fprintln(a.out, "a real authorization server instead. Try, for 12 hours:")
	if a.Usage != nil {
		a.Usage(a.out, a.tokens)
		return
	}
	fmt.Fprintf(a.out, "  curl -i -H 'Authorization: Bearer %s' %s/api/me\n", a.tokens[0], a.base)
	fmt.Fprintf(a.out, "  curl -i -H 'Authorization: Bearer %s' %s/api/admin\n", a.tokens[1], a.base)
	fmt.Fprintln(a.out, "The first token has scope \"groups\" only: /api/admin answers it 403 insufficient_scope.")
}
