package core

import (
	"context"
	"crypto"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/core/internal/flight"
	"github.com/oidcrs/oidcrs/internal/failure"
	"github.com/oidcrs/oidcrs/internal/httpclient"
	"github.com/oidcrs/oidcrs/internal/jwkset"
)

// Bounds of the authorization server's JWKS cache.
const (
	jwksMinRefresh = 5 * time.Second  // at most one fetch per interval
	jwksMinMaxAge  = time.Minute      // Cache-Control max-age floor
	jwksMaxMaxAge  = 24 * time.Hour   // and ceiling
	jwksDefaultAge = 10 * time.Minute // without max-age
)

var (
	errUnknownKID = errors.New("no authorization server key matches the kid, after a refresh of the key set")
	// errKIDNotYetFetched is a kid missing from a key set that may not be
	// refreshed yet: it may be a key the authorization server has just
	// started to sign with, so the verdict waits for the next refresh.
	errKIDNotYetFetched = errors.New("no cached authorization server key matches the kid, and the key set was refreshed less than 5 s ago")
	// errRecentlyFetched is refresh's answer to a caller that decided to
	// fetch just as another fetch ended: no fetch was made for it.
	errRecentlyFetched = errors.New("the key set was just refreshed")
)

// remoteKeySet caches the authorization server's signing keys. It fetches
// on first use, again when the cached set is older than its max-age or a
// kid is unknown, at most once every jwksMinRefresh, concurrent fetches
// sharing one. It keeps the old keys until a fetch succeeds.
type remoteKeySet struct {
	url     func(context.Context) (string, error) // explicit or discovered
	client  *http.Client
	timeout time.Duration
	now     func() time.Time
	mon     *monitor
	gate    *callGate

	mu          sync.RWMutex
	keys        []jose.JSONWebKey
	expires     time.Time
	lastAttempt time.Time
	lastErr     error

	fetches flight.Group[struct{}, []jose.JSONWebKey]
}

// keysFor returns the keys that may have signed a JWS with kid ("" for
// any). A kid missing from the set is refused for good (errUnknownKID,
// 502, which an access token's check turns into 401) only when a fetch
// made for this call did not find it either; while a refresh is not
// allowed yet it is ErrUnavailable with the seconds until the next one as
// Retry-After: a verdict that is never cached, on a token that may be
// good.
func (r *remoteKeySet) keysFor(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	now := r.now()
	r.mu.RLock()
	keys, fresh := r.keys, now.Before(r.expires)
	mayFetch := r.lastAttempt.IsZero() || now.Sub(r.lastAttempt) >= jwksMinRefresh
	lastErr := r.lastErr
	r.mu.RUnlock()

	if found := matchKID(keys, kid); len(found) > 0 && (fresh || !mayFetch) {
		return found, nil
	}
	if !mayFetch {
		if keys == nil && lastErr != nil {
			return nil, lastErr
		}
		return nil, r.notYet()
	}
	keys, err, _ := r.fetches.Do(ctx, struct{}{}, r.refresh)
	if found := matchKID(keys, kid); len(found) > 0 {
		// Old keys stay in use while the authorization server is away.
		return found, nil
	}
	if errors.Is(err, errRecentlyFetched) {
		return nil, r.notYet()
	}
	if err != nil {
		return nil, err
	}
	return nil, newError(ErrBadResponse, descDecodingFailed, failure.New(failure.ASKeys, errUnknownKID))
}

// notYet is the error of a kid that the next allowed refresh may find:
// 503 with Retry-After, the whole seconds until that refresh (at least 1).
func (r *remoteKeySet) notYet() error {
	r.mu.RLock()
	wait := r.lastAttempt.Add(jwksMinRefresh).Sub(r.now())
	r.mu.RUnlock()
	secs := max(int64((wait+time.Second-1)/time.Second), 1)
	e := newError(ErrUnavailable, descJWKSFailed, failure.New(failure.ASKeys, atEndpoint(EndpointJWKS, errKIDNotYetFetched)))
	e.retryAfter = strconv.FormatInt(secs, 10)
	return e
}

// keysAfterFailure refetches the set after a signature failed with the
// keys it holds for kid: the authorization server may have replaced a key
// under the same kid. It fetches at most once per jwksMinRefresh, like an
// unknown kid, and reports whether it got a set that differs for kid.
func (r *remoteKeySet) keysAfterFailure(ctx context.Context, kid string, tried []jose.JSONWebKey) ([]jose.JSONWebKey, bool) {
	r.mu.RLock()
	mayFetch := r.lastAttempt.IsZero() || r.now().Sub(r.lastAttempt) >= jwksMinRefresh
	r.mu.RUnlock()
	if !mayFetch {
		return nil, false
	}
	keys, err, _ := r.fetches.Do(ctx, struct{}{}, r.refresh)
	if err != nil {
		return nil, false
	}
	found := matchKID(keys, kid)
	if len(found) == 0 || sameKeys(found, tried) {
		return nil, false
	}
	return found, true
}

// sameKeys reports whether two key lists hold the same public keys.
func sameKeys(a, b []jose.JSONWebKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		ta, err1 := a[i].Thumbprint(crypto.SHA256)
		tb, err2 := b[i].Thumbprint(crypto.SHA256)
		if err1 != nil || err2 != nil || string(ta) != string(tb) {
			return false
		}
	}
	return true
}

// refresh fetches the key set; on failure it returns the keys it had. A
// caller that decided to fetch just as another fetch ended gets that
// fetch's keys, with its error or errRecentlyFetched: at most one fetch
// per jwksMinRefresh.
func (r *remoteKeySet) refresh(ctx context.Context) ([]jose.JSONWebKey, error) {
	r.mu.RLock()
	recent := !r.lastAttempt.IsZero() && r.now().Sub(r.lastAttempt) < jwksMinRefresh
	had, lastErr := r.keys, r.lastErr
	r.mu.RUnlock()
	if recent {
		if lastErr == nil {
			lastErr = errRecentlyFetched
		}
		return had, lastErr
	}
	keys, maxAge, err := r.fetch(ctx)
	if notAsked(err) {
		return had, err // no fetch was made: the next caller may try
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastAttempt = now
	if err != nil {
		r.lastErr = err
		return r.keys, err
	}
	r.keys, r.expires, r.lastErr = keys, now.Add(maxAge), nil
	return keys, nil
}

func (r *remoteKeySet) fetch(ctx context.Context) ([]jose.JSONWebKey, time.Duration, error) {
	u, err := r.url(ctx)
	if err != nil {
		return nil, 0, err
	}
	leave, err := r.gate.enter(ctx, EndpointJWKS, u, r.timeout)
	if err != nil {
		return nil, 0, err
	}
	defer leave()
	ctx, end := r.mon.call(ctx, EndpointJWKS, u, true)
	keys, age, status, err := r.get(ctx, u)
	end(status, err)
	r.gate.answered(ctx, EndpointJWKS, u, status, err)
	return keys, age, err
}

// get fetches the key set with the shared GET (internal/httpclient) and
// keeps its signing keys as the oidcrs command's check reads them
// (internal/jwkset); status is 0 without an answer.
func (r *remoteKeySet) get(ctx context.Context, u string) (_ []jose.JSONWebKey, _ time.Duration, status int, _ error) {
	resp, err := httpclient.GetJSON(ctx, r.client, r.timeout, u, "application/jwk-set+json, application/json")
	cause := func(err error) error { return failure.New(failure.ASKeys, atEndpoint(EndpointJWKS, err)) }
	switch {
	case resp.Status == 0:
		return nil, 0, 0, newError(ErrUnavailable, descJWKSFailed, cause(err))
	case resp.Status != http.StatusOK:
		e := newError(ErrUnavailable, descJWKSFailed, cause(statusError(resp.Status)))
		e.retryAfter = retryAfter(resp.Header.Get("Retry-After"))
		return nil, 0, resp.Status, e
	case err != nil:
		return nil, 0, resp.Status, newError(ErrBadResponse, descJWKSFailed, cause(err))
	}
	keys, err := jwkset.Signing(resp.Body)
	if err != nil {
		return nil, 0, resp.Status, newError(ErrBadResponse, descJWKSFailed, cause(err))
	}
	return keys, maxAge(resp.Header.Get("Cache-Control")), resp.Status, nil
}

// matchKID returns the keys with kid, or every key when kid is "".
func matchKID(keys []jose.JSONWebKey, kid string) []jose.JSONWebKey {
	if kid == "" {
		return keys
	}
	for i := range keys {
		if keys[i].KeyID == kid {
			return keys[i : i+1]
		}
	}
	return nil
}

// maxAge reads Cache-Control max-age within [jwksMinMaxAge, jwksMaxMaxAge].
func maxAge(cc string) time.Duration {
	for _, d := range strings.Split(cc, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(d), "=")
		if !ok || !strings.EqualFold(name, "max-age") {
			continue
		}
		n, err := strconv.Atoi(strings.Trim(val, `"`))
		if err != nil || n < 0 {
			break
		}
		return min(max(time.Duration(n)*time.Second, jwksMinMaxAge), jwksMaxMaxAge)
	}
	return jwksDefaultAge
}
