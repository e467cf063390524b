package realas

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Endpoints are an authorization server's URLs, as a resource server is
// configured with them.
type Endpoints struct {
	Issuer        string
	Token         string
	Authorization string
	Introspection string
	Revocation    string
	JWKS          string
}

// Tokens is a token endpoint answer.
type Tokens struct {
	Access  string `json:"access_token"`
	Refresh string `json:"refresh_token"`
	ID      string `json:"id_token"`
	Scope   string `json:"scope"`
	Expires int    `json:"expires_in"`
}

// httpClient talks to the servers; its timeout only bounds a hung test.
// The harness's calls to the servers open a connection each: a server
// that closes an idle keep-alive connection just as a POST is sent on it
// would otherwise fail that call with EOF (net/http does not send a POST
// again), and a busy machine makes that likely.
var httpClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// postForm posts form to u with client_secret_basic and decodes a JSON
// answer into out (nil: the body is dropped). A non-2xx status is an error
// that carries the server's error code, never the request.
func postForm(ctx context.Context, u, clientID, secret string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if clientID != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	return do(req, out)
}

func do(req *http.Request, out any) error {
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return fmt.Errorf("%s %s: status %d %s", req.Method, req.URL.Path, resp.StatusCode, e.Error)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// ClientCredentials runs the client_credentials grant with
// client_secret_basic. audience, when set, is Hydra's audience parameter.
func ClientCredentials(ctx context.Context, e Endpoints, clientID, secret, scope string, audience ...string) (Tokens, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	if len(audience) > 0 {
		form.Set("audience", strings.Join(audience, " "))
	}
	var t Tokens
	var err error
	// A grant changes nothing a second one would collide with, so a call
	// that got no answer goes again: Hydra answers its first JWT grant only
	// once it has generated its signing key, which on a busy machine can
	// outlast its 10 s write timeout (the connection closes: EOF).
	for try := 0; try < 3; try++ {
		var ue *url.Error
		if err = postForm(ctx, e.Token, clientID, secret, form, &t); !errors.As(err, &ue) {
			break
		}
	}
	if err == nil && t.Access == "" {
		err = errors.New("token endpoint: no access_token")
	}
	return t, err
}

// Revoke revokes token (RFC 7009) as the client it was issued to.
func Revoke(ctx context.Context, e Endpoints, clientID, secret, token string) error {
	return postForm(ctx, e.Revocation, clientID, secret, url.Values{"token": {token}}, nil)
}

// Refresh runs the refresh_token grant.
func Refresh(ctx context.Context, e Endpoints, clientID, secret, refresh string) (Tokens, error) {
	var t Tokens
	err := postForm(ctx, e.Token, clientID, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, &t)
	return t, err
}
