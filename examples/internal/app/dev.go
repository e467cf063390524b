package app

import (
	"fmt"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// DevScope is the scope the development resource server requires.
const DevScope = "groups"

// startDev starts the development authorization server: oidcrstest's fake
// server on loopback, answering RFC 9701 JWTs encrypted to a fresh RSA key
// of the example, which it fetches from the example's /jwks on its first
// introspection. It mints two tokens to try the example with.
func (a *App) startDev() error {
	pem, err := oidcrstest.GenerateRSAKeyPEM(2048)
	if err != nil {
		return err
	}
	a.dev, err = oidcrstest.New(oidcrstest.Config{Mode: oidcrstest.JWT, Addr: "127.0.0.1:0",
		RSJWKSURL: a.base + "/jwks", TokenTTL: 12 * time.Hour})
	if err != nil {
		return fmt.Errorf("starting the development authorization server: %w", err)
	}
	if a.RS, err = core.New(a.dev.Settings(pem, DevScope)); err != nil {
		return err
	}
	a.tokens[0] = a.dev.Mint(map[string]any{"scope": DevScope})
	a.tokens[1] = a.dev.Mint(map[string]any{"scope": DevScope + " admin"})
	return nil
}

// printUsage prints curl commands with the development tokens. These are
// tokens of a throw-away test server, printed on purpose; the library never
// prints or logs a token.
func (a *App) printUsage() {
	if a.dev == nil {
		return
	}
	fmt.Fprintf(a.out, "OIDC_OP_URL is not set: started a development authorization server at %s\n", a.dev.URL)
	fmt.Fprintln(a.out, "(set OIDC_OP_URL and the other OIDC_* variables to use a real one). Try, for 12 hours:")
	if a.Usage != nil {
		a.Usage(a.out, a.tokens)
		return
	}
	fmt.Fprintf(a.out, "  curl -i -H 'Authorization: Bearer %s' %s/api/me\n", a.tokens[0], a.base)
	fmt.Fprintf(a.out, "  curl -i -H 'Authorization: Bearer %s' %s/api/admin\n", a.tokens[1], a.base)
	fmt.Fprintln(a.out, "The first token has scope \"groups\" only: /api/admin answers it 403 insufficient_scope.")
}
