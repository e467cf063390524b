// Command zitadel-op is a test-only OpenID provider built on the op package
// of github.com/zitadel/oidc v3, with an in-memory storage. The interop tests
// build it, start it on 127.0.0.1 and read the first line of its standard
// output, "READY <issuer>".
//
// Usage:
//
//	zitadel-op <config.json>
//
// The configuration lists the clients (see config). The process exits when
// its standard input reaches end of file (the test binary died), when it is
// killed, or after maxLifetimeSeconds. It never writes tokens or secrets.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// config is the JSON document named by the first argument.
type config struct {
	// Port on 127.0.0.1; 0 picks a free one.
	Port int `json:"port"`
	// Clients are the registered clients.
	Clients []clientConfig `json:"clients"`
	// MaxLifetimeSeconds makes the process exit by itself (0: 600).
	MaxLifetimeSeconds int `json:"maxLifetimeSeconds"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("zitadel-op: ")
	if len(os.Args) != 2 {
		log.Fatal("usage: zitadel-op <config.json>")
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	var cfg config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		log.Fatalf("config: %v", err)
	}
	if cfg.MaxLifetimeSeconds <= 0 {
		cfg.MaxLifetimeSeconds = 600
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", cfg.Port))
	if err != nil {
		log.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()

	store, err := newStorage(issuer, cfg.Clients)
	if err != nil {
		log.Fatal(err)
	}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		log.Fatal(err)
	}
	provider, err := op.NewOpenIDProvider(issuer, &op.Config{
		CryptoKey:             key,
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedScopes:       []string{"openid", "offline_access", "groups", "admin"},
	}, store, op.WithAllowInsecure())
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/login", loginHandler(store, op.AuthCallbackURL(provider)))
	mux.Handle("/", provider)

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	fmt.Printf("READY %s\n", issuer)

	stdinEOF := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinEOF)
	}()
	select {
	case <-stdinEOF:
	case <-time.After(time.Duration(cfg.MaxLifetimeSeconds) * time.Second):
		log.Print("maximum lifetime reached")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
