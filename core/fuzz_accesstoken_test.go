package core_test

import (
	"context"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// FuzzAccessToken feeds attacker-chosen tokens to the local RFC 9068
// verifier (and to the router of hybrid mode): it never panics, never
// accepts a token the kit did not sign, and answers only 400, 401 or 403
// (the JWKS endpoint is up, so never 502), or 503 with a Retry-After for a
// kid the key set lacks within 5 s of its last refresh (a rotation may be
// under way). A fuzzing worker is a process of its own, with its own kit:
// the seeds it is given were signed by another kit's keys.
func FuzzAccessToken(f *testing.F) {
	as := oidcrstest.Start(f, oidcrstest.Config{SigningAlg: jose.ES256})
	local, err := core.New(as.AccessTokenSettings())
	require.NoError(f, err)
	st := as.Settings("")
	st.LocalJWT, st.Resource, st.SigningAlgorithm = true, as.Resource(), "ES256"
	hybrid, err := core.New(st)
	require.NoError(f, err)
	good := as.MintAccessToken(nil, nil)
	for _, s := range []string{good, good[:len(good)-2], good + "x", as.MintAccessToken(nil, map[jose.HeaderKey]any{"typ": "JWT"}),
		as.MintAccessToken(map[string]any{"exp": "x", "scope": 1, "aud": []any{1}}, nil),
		"eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", "a.b.c", "a.b.c.d.e", "opaque", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		for _, rs := range []*core.ResourceServer{local, hybrid} {
			ctx, err := rs.Authenticate(context.Background(), []string{"Bearer " + tok})
			if err == nil {
				ti, _ := core.FromContext(ctx)
				require.Equal(t, oidcrstest.DefaultSubject, ti.Subject, "only tokens the kit signed are accepted")
				continue
			}
			resp := rs.ErrorResponse(err)
			if rs == local && !(resp.Status == 503 && resp.RetryAfter != "") {
				require.Contains(t, []int{400, 401, 403}, resp.Status, "error %v", err)
			}
		}
	})
}
