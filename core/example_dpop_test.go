package core_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// A DPoP-bound token (RFC 9449) is taken with a fresh proof on every
// request: AuthenticateRequest reads the proof beside the token, here from
// a net/http request through HTTPRequest. The proof is made as a client
// makes it; the token names the client's key in cnf.jkt.
func ExampleResourceServer_AuthenticateRequest() {
	as, err := oidcrstest.New(oidcrstest.Config{SigningAlg: "ES256"})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	st := as.Settings("")
	st.ExternalURL = "https://api.example" // what the proof's htu names
	rs, err := core.New(st)
	if err != nil {
		panic(err)
	}

	// The client's key, and the token the authorization server bound to it.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	thumb, _ := (&jose.JSONWebKey{Key: &key.PublicKey}).Thumbprint(crypto.SHA256)
	token := as.Mint(map[string]any{"sub": "alice", "cnf": map[string]any{"jkt": base64.RawURLEncoding.EncodeToString(thumb)}})

	proof := func(method, url string) string {
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
			(&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
		ath := sha256.Sum256([]byte(token))
		claims, _ := json.Marshal(map[string]any{"jti": rand.Text(), "htm": method, "htu": url,
			"iat": time.Now().Unix(), "ath": base64.RawURLEncoding.EncodeToString(ath[:])})
		jws, _ := signer.Sign(claims)
		out, _ := jws.CompactSerialize()
		return out
	}

	send := func(scheme, dpop string) {
		r := httptest.NewRequest("GET", "/orders?page=2", nil)
		r.Header.Set("Authorization", scheme+" "+token)
		if dpop != "" {
			r.Header.Set("DPoP", dpop)
		}
		ctx, err := rs.AuthenticateRequest(context.Background(), core.HTTPRequest(r))
		if err != nil {
			resp := rs.ErrorResponse(err)
			fmt.Println(resp.Status, resp.Body.Error, resp.Body.Description)
			return
		}
		ti, _ := core.FromContext(ctx)
		fmt.Println("200", ti.Subject)
	}
	good := proof("GET", "https://api.example/orders")
	send("DPoP", good)
	send("DPoP", good) // the same proof again
	send("DPoP", proof("POST", "https://api.example/orders"))
	send("Bearer", "")
	// Output:
	// 200 alice
	// 401 invalid_dpop_proof Invalid DPoP proof
	// 401 invalid_dpop_proof Invalid DPoP proof
	// 401 invalid_token The access token is sender-constrained: it was sent without its proof of possession.
}
