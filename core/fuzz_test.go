package core_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Fuzz targets for every parser of attacker-controlled bytes: the
// Authorization header, the authorization server's JSON and JWT answers,
// the PEM keys and the environment. scripts/fuzz.sh runs each for a bounded
// time; crashers land in testdata/fuzz and replay with every go test.

var b64token = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)

// FuzzExtractToken checks ExtractToken against an independent reading of
// RFC 6750 section 2.1 and the reference's base64 rule.
func FuzzExtractToken(f *testing.F) {
	for _, s := range []string{
		"Bearer opaque-Token_1", "bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "BEARER dG9rZW4=", "Bearer  AA==",
		"Bearer " + base64.StdEncoding.EncodeToString([]byte("token-in-base64")), "Bearer /w==", "Bearer ", "Bearer",
		"Basic dXNlcjpwYXNz", "", " Bearer x", "Bearer a b", "Bearer x\t", "Bearer a=b", "Bearer 8J+YgA==", "Bearer ====",
		"Bearer " + strings.Repeat("A", core.MaxHeaderLength-len("Bearer ")), "Bearer " + strings.Repeat("A", core.MaxHeaderLength),
		"Bearer\u00a0x", "Bearer x\r\nX-Evil: 1", "Bearer //79",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		tok, err := core.ExtractToken(header)
		want, wantErr := extractOracle(header)
		if wantErr != nil {
			require.ErrorIs(t, err, wantErr)
			require.Empty(t, tok)
			_, _, _, ours := core.ErrorParts(err)
			require.True(t, ours)
			require.Contains(t, []int{400, 401}, (*core.ResourceServer)(nil).ErrorResponse(err).Status)
			return
		}
		require.NoError(t, err)
		require.LessOrEqual(t, len(header), core.MaxHeaderLength)
		require.NotEmpty(t, tok)
		require.Equal(t, want, tok)
	})
}

// extractOracle is the specification of ExtractToken, written apart.
func extractOracle(h string) (string, error) {
	if len(h) > core.MaxHeaderLength {
		return "", core.ErrInvalidRequest
	}
	scheme, rest, _ := strings.Cut(h, " ")
	if h == "" || strings.ToLower(scheme) != "bearer" {
		return "", core.ErrMissingToken
	}
	raw := strings.TrimLeft(rest, " ")
	if raw == "" || !b64token.MatchString(raw) {
		return "", core.ErrInvalidRequest
	}
	if dec, err := base64.StdEncoding.Strict().DecodeString(raw); err == nil && utf8.Valid(dec) {
		return string(dec), nil
	}
	return raw, nil
}

// roundTripper answers every request with fn, without a socket.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answerWith(ctype string, body []byte) *http.Response {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {ctype}},
		Body: io.NopCloser(strings.NewReader(string(body))), ContentLength: int64(len(body))}
}

// kitAnswer asks a real kit server about a freshly minted token and
// returns the body it answered.
func kitAnswer(tb testing.TB, as *oidcrstest.Server, claims map[string]any) []byte {
	tb.Helper()
	form := url.Values{"token": {as.Mint(claims)}, "client_id": {as.Config().ClientID}, "client_secret": {as.Config().ClientSecret}}
	req, err := http.NewRequest(http.MethodPost, as.IntrospectionURL(), strings.NewReader(form.Encode()))
	require.NoError(tb, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if as.Config().Mode == oidcrstest.JWT {
		req.Header.Set("Accept", "application/token-introspection+jwt")
	}
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	require.Equal(tb, 200, resp.StatusCode, "%s", b)
	return b
}

var fuzzScopes = []string{"groups", "email"}

// FuzzIntrospectionJSON feeds fuzzed JSON answers through the whole
// pipeline: nothing may pass that a plain reading of RFC 7662 and the
// reference's checks would refuse, and no error maps to 500.
func FuzzIntrospectionJSON(f *testing.F) {
	as := oidcrstest.Start(f, oidcrstest.Config{})
	for _, c := range []map[string]any{nil, {"active": false}, {"scope": "email other"}, {"client_id": []string{"a", "b"}},
		{"exp": 1e10}, {"exp": 1.5}, {"nbf": 4e9}, {"iss": "https://evil.example"}, {"active": "true"}, {"client_id": ""}} {
		f.Add(kitAnswer(f, as, c))
	}
	for _, s := range []string{`{"active":true,"scope":"groups","client_id":"sp"}`, `{"active":true,"active":false}`,
		`{"active":true,"scope":"groups","client_id":["sp",1]}`, `[]`, `null`, `{"active":true} x`, `{"active":tru`,
		"\xef\xbb\xbf{\"active\":true}", `{"active":true,"scope":"groups","client_id":"sp","exp":1e400}`,
		`{"active":true,"scope":"groups","client_id":"sp","exp":"9999999999"}`, `{"ACTIVE":true,"scope":"groups","client_id":"sp"}`} {
		f.Add([]byte(s))
	}
	st := as.Settings("", fuzzScopes...)
	st.DisableCache = true
	now := time.Now().Truncate(time.Second).Add(time.Second) // after every seed's iat
	clock := core.WithClock(func() time.Time { return now })
	f.Fuzz(func(t *testing.T, body []byte) {
		client := &http.Client{Transport: roundTripper(func(*http.Request) (*http.Response, error) {
			return answerWith("application/json", body), nil
		})}
		rs, err := core.New(st, core.WithHTTPClient(client), clock)
		require.NoError(t, err)
		ti, err := authenticate(rs, context.Background(), "Bearer fuzz-token")
		if err != nil {
			r := rs.ErrorResponse(err)
			require.Contains(t, []int{401, 403, 502}, r.Status, "error %v", err)
			require.NotEmpty(t, r.Body.Description)
			return
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.UseNumber()
		var claims map[string]any
		require.NoError(t, dec.Decode(&claims), "authenticated a body that is not a JSON object")
		_, trailing := dec.Token()
		require.ErrorIs(t, trailing, io.EOF, "authenticated a body with data after the object")
		require.Equal(t, true, claims["active"], "authenticated without active: true")
		requireAcceptable(t, claims, as.URL, now)
		require.Equal(t, claims, ti.Claims())
	})
}

// requireAcceptable states what an authenticated answer must hold.
func requireAcceptable(t *testing.T, claims map[string]any, issuer string, now time.Time) {
	scope, ok := claims["scope"].(string)
	require.True(t, ok, "scope must be a string")
	require.True(t, strings.Contains(" "+strings.Join(strings.Fields(scope), " ")+" ", " groups ") ||
		strings.Contains(" "+strings.Join(strings.Fields(scope), " ")+" ", " email "), "no configured scope in %q", scope)
	switch aud := claims["client_id"].(type) {
	case string:
		require.NotEmpty(t, aud)
	case []any:
		require.NotEmpty(t, aud)
		for _, a := range aud {
			s, ok := a.(string)
			require.True(t, ok && s != "", "audience element %v", a)
		}
	default:
		t.Fatalf("audience claim %T", aud)
	}
	if iss, present := claims["iss"]; present && iss != nil {
		require.Equal(t, issuer, iss)
	}
	sec := float64(now.Unix())
	for name, future := range map[string]bool{"exp": true, "nbf": false, "iat": false} {
		v, present := claims[name]
		if !present || v == nil {
			continue
		}
		n, ok := v.(json.Number)
		require.True(t, ok, "%s is %T", name, v)
		x, err := n.Float64()
		require.NoError(t, err)
		if future {
			require.Greater(t, x, sec, "%s is past", name)
		} else {
			require.LessOrEqual(t, x, sec, "%s is in the future", name)
		}
	}
}

// jwtBackend is one resource server configuration for FuzzJWTResponse.
type jwtBackend struct {
	st   core.Settings
	jwks []byte
	good map[string]any // the claims the good seed authenticates with
}

// authenticate runs one request whose AS answers body, over a
// RoundTripper, the JWKS endpoint serving b.jwks.
func (b jwtBackend) authenticate(body []byte) (*core.TokenInfo, error) {
	client := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodGet {
			return answerWith("application/json", b.jwks), nil
		}
		return answerWith("application/token-introspection+jwt", body), nil
	})}
	rs, err := core.New(b.st, core.WithHTTPClient(client))
	if err != nil {
		return nil, err
	}
	return authenticate(rs, context.Background(), "Bearer fuzz-token")
}

// FuzzJWTResponse feeds fuzzed compact strings, seeded from real kit
// answers (EC and RSA), through JWE decryption, JWS verification and the
// claim checks. Only the real good answer may authenticate.
func FuzzJWTResponse(f *testing.F) {
	ecPEM, err := oidcrstest.GenerateECKeyPEM()
	require.NoError(f, err)
	var backends [2]jwtBackend
	for i, c := range []struct {
		pem, keyType string
		cfg          oidcrstest.Config
	}{
		{ecPEM, "EC", oidcrstest.Config{Mode: oidcrstest.JWT, SigningAlg: jose.ES256, KeyAlg: jose.ECDH_ES, ContentEnc: jose.A256GCM}},
		{testKeys().rsPEM, "RSA", oidcrstest.Config{Mode: oidcrstest.JWT}},
	} {
		keys, err := core.ParsePrivateKeys(c.pem, c.keyType)
		require.NoError(f, err)
		pub := keys[0].Public()
		c.cfg.RSKey = &pub
		as := oidcrstest.Start(f, c.cfg)
		b := jwtBackend{st: as.Settings(c.pem)}
		b.st.KeyType, b.st.DisableCache = c.keyType, true
		sig := as.SigningKey()
		b.jwks = mustJSON(f, map[string]any{"keys": []any{sig.Public()}})
		good := kitAnswer(f, as, map[string]any{"jti": randomString(16)})
		ti, err := b.authenticate(good)
		require.NoError(f, err, "the good seed must authenticate")
		b.good = ti.Claims()
		backends[i] = b
		rsa := i == 1
		for _, seed := range [][]byte{good, kitAnswer(f, as, map[string]any{"active": false}),
			kitAnswer(f, as, map[string]any{"scope": "none"}), good[:len(good)-10],
			[]byte(strings.Replace(string(good), ".", "..", 1)), append([]byte(" "), good...)} {
			f.Add(seed, rsa)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, rsa bool) {
		b := backends[0]
		if rsa {
			b = backends[1]
		}
		ti, err := b.authenticate(body)
		if err != nil {
			require.Contains(t, []int{401, 403, 502}, (*core.ResourceServer)(nil).ErrorResponse(err).Status, "error %v", err)
			return
		}
		require.Equal(t, b.good, ti.Claims(), "only the real answer may authenticate")
	})
}

// base64Line matches a PEM body line: where key material lives.
