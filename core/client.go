package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oidcrs/oidcrs/internal/failure"
	"github.com/oidcrs/oidcrs/internal/httpclient"
)

// maxResponseBytes bounds every body read from the authorization server.
const maxResponseBytes = httpclient.MaxBody

// newHTTPClient builds the client used for calls to the authorization
// server with the constructor the oidcrs command shares
// (internal/httpclient): keep-alive, bounded, no redirects (a redirected
// POST would lose its body and credentials; a 3xx is an unexpected
// status).
func newHTTPClient(s Settings) (*http.Client, error) {
	return httpclient.New(httpclient.Config{Timeout: s.Timeout, Proxy: s.Proxy, InsecureSkipVerify: s.InsecureSkipVerify})
}

// asClient posts tokens to the introspection endpoint.
type asClient struct {
	http     *http.Client
	endpoint func(context.Context) (string, error) // explicit or discovered
	auth     *clientAuth
	accept   string
	timeout  time.Duration
	mon      *monitor
	gate     *callGate
}

// introspect posts token and returns the 2xx body and its Content-Type, or
// an error: ErrUnavailable for transport failures and unexpected statuses,
// ErrInvalidToken for a 401 with WWW-Authenticate, ErrBadResponse for an
// oversize body.
func (c *asClient) introspect(ctx context.Context, token string) ([]byte, string, error) {
	endpoint, err := c.endpoint(ctx)
	if err != nil {
		return nil, "", err
	}
	// The client authentication may read discovery: settle it before
	// holding a place of the call limit, which discovery needs too.
	c.auth.method(ctx)
	leave, err := c.gate.enter(ctx, EndpointIntrospection, endpoint, c.timeout)
	if err != nil {
		return nil, "", err
	}
	defer leave()
	ctx, end := c.mon.call(ctx, EndpointIntrospection, endpoint, false)
	body, ctype, status, err := c.post(ctx, endpoint, token)
	end(status, err)
	c.gate.answered(ctx, EndpointIntrospection, endpoint, status, err)
	return body, ctype, err
}

// post makes the introspection call; status is 0 without an answer.
func (c *asClient) post(ctx context.Context, endpoint, token string) (_ []byte, _ string, status int, _ error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	method, settled := c.auth.method(ctx)
	// The hint tells the authorization server that only an access token
	// will do (RFC 7662 section 2.1).
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	authz, err := c.auth.apply(method, form)
	var req *http.Request
	if err == nil {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	}
	if err != nil {
		return nil, "", 0, newError(ErrUnavailable, descFetchFailed, errors.New("cannot build introspection request"))
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	// Introspection reads and changes nothing, so net/http may send it again
	// on a new connection when the authorization server closed an idle
	// keep-alive one just as it was reused; the nil value marks the request
	// replayable without sending the header. A private_key_jwt assertion is
	// single-use (its jti): a server that saw the first send and refuses the
	// second makes this request fail, closed, as it would have anyway.
	req.Header["Idempotency-Key"] = nil
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", c.accept)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, "", 0, newError(ErrUnavailable, descFetchFailed, transportError(err))
	}
	defer resp.Body.Close()
	status = resp.StatusCode
	body, err := readLimited(resp.Body)
	if err != nil {
		if resp.StatusCode/100 == 2 {
			return nil, "", status, newError(ErrBadResponse, descFetchFailed, err)
		}
		body = nil
	}
	refused := ownCredentialsRefused(status, body, resp.Header.Get("WWW-Authenticate"))
	if refused {
		c.auth.refusedNow(ctx, method, status, errorCode(body, token))
	} else if status/100 == 2 || status == http.StatusUnauthorized {
		c.auth.accepted(ctx, method, settled)
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return body, resp.Header.Get("Content-Type"), status, nil
	case !refused && resp.StatusCode == http.StatusUnauthorized:
		desc := descUpstreamRejected
		// A description that quotes the token would echo it to the client
		// and into the logs: use ours instead.
		if d, ok := upstreamDescription(body, resp.Header.Get("WWW-Authenticate")); ok && !strings.Contains(d, token) {
			desc = d
		}
		return nil, "", status, newError(ErrInvalidToken, desc, fmt.Errorf("authorization server answered 401"))
	}
	var cause error = asAnswer(resp, body, token)
	if refused {
		cause = failure.New(failure.ClientAuth, cause)
	}
	e := newError(ErrUnavailable, descFetchFailed, cause)
	e.retryAfter = retryAfter(resp.Header.Get("Retry-After"))
	return nil, "", status, e
}

// asAnswer keeps the authorization server's own error and
// error_description of an unexpected answer, sanitised, for operators
// (the oidcrs command shows them). A text that quotes the token is left
// out. Its message stays the status alone.
func asAnswer(resp *http.Response, body []byte, token string) *failure.ASAnswer {
	a := &failure.ASAnswer{Status: resp.StatusCode, Err: fmt.Errorf("authorization server %w", statusError(resp.StatusCode)),
		Code: errorCode(body, token)}
	if d, ok := upstreamDescription(body, resp.Header.Get("WWW-Authenticate")); ok && !strings.Contains(d, token) {
		a.Description = d
	}
	return a
}

// errorCode is the error of an RFC 6749 section 5.2 error body,
// sanitised, or "" (also when it quotes the token).
func errorCode(body []byte, token string) string {
	var b struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &b) == nil {
		if c, ok := sanitizeDescription(b.Error); ok && !strings.Contains(c, token) {
			return c
		}
	}
	return ""
}

// ownCredentialsRefused reports whether an answer says that the resource
// server's own client authentication failed: a 401 without a challenge,
// with a Basic one, or with RFC 6749 section 5.2 invalid_client, or a 400
// invalid_client (which some servers send). It is a fault on our side,
// which must not reach the client as invalid_token. Only a 401 with
// another challenge refuses the token.
func ownCredentialsRefused(status int, body []byte, wwwAuth string) bool {
	var b struct {
		Error string `json:"error"`
	}
	invalidClient := json.Unmarshal(body, &b) == nil && b.Error == "invalid_client"
	switch status {
	case http.StatusBadRequest:
		return invalidClient
	case http.StatusUnauthorized:
		scheme, _, _ := strings.Cut(strings.TrimSpace(wwwAuth), " ")
		return wwwAuth == "" || strings.EqualFold(scheme, "Basic") || strings.Contains(wwwAuth, `error="invalid_client"`) || invalidClient
	}
	return false
}

// readLimited reads at most maxResponseBytes, failing on more.
func readLimited(r io.Reader) ([]byte, error) { return httpclient.ReadLimited(r) }

// errTimedOut is the cause of a call that timed out.
var errTimedOut = httpclient.ErrTimedOut

// transportError keeps the class of a transport failure without the URL,
// which net/http puts in its messages.
func transportError(err error) error { return httpclient.TransportError(err) }

// upstreamDescription takes the authorization server's error_description
// from its JSON body, or else from its WWW-Authenticate header, when it is
// short and printable.
func upstreamDescription(body []byte, wwwAuth string) (string, bool) {
	var b struct {
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &b) == nil {
		if d, ok := sanitizeDescription(b.Description); ok {
			return d, true
		}
	}
	const attr = `error_description="`
	if i := strings.Index(wwwAuth, attr); i >= 0 {
		rest := wwwAuth[i+len(attr):]
		if j := strings.IndexByte(rest, '"'); j >= 0 {
			return sanitizeDescription(rest[:j])
		}
	}
	return "", false
}

// retryAfter passes on a Retry-After value only when it is delay-seconds or
// an HTTP date (RFC 9110 section 10.2.3).
func retryAfter(v string) string {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 64 {
		return ""
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return strconv.Itoa(n)
	}
	if _, err := http.ParseTime(v); err == nil {
		return v
	}
	return ""
}
