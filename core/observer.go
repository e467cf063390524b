package core

import (
	"context"
	"time"
)

// Observer receives what a ResourceServer does, for metrics, traces and
// alerts: the otel module turns it into OpenTelemetry instruments and
// spans. Every field is optional; a nil field, or no Observer at all,
// costs a nil check and no allocation. The functions are called
// synchronously on the request's path and must be fast and safe for
// concurrent use. Nothing they receive holds a token, a secret or a claim.
type Observer struct {
	// Decision is called once per Authenticate with its outcome, and once
	// per refusal of a per-route scope rule (ResourceServer.CheckScopes,
	// which every RequireScopes calls): a request that a route refuses is
	// counted twice, as its token's acceptance (200) and as the route's
	// refusal (403 insufficient_scope).
	Decision func(ctx context.Context, d Decision)
	// Cache is called for each cache lookup: level 1 (this process) or 2
	// (the shared cache), hit or miss.
	Cache func(ctx context.Context, level int, hit bool)
	// Stale is called each time a verified answer past its cache TTL is
	// used because the authorization server failed
	// (Settings.CacheStaleIfError): level 1 (this process) or 2 (the
	// shared cache). Cache has reported the lookup as a miss.
	Stale func(ctx context.Context, level int)
	// Call is called before each call to the authorization server
	// (introspection, JWKS, discovery) and to the shared cache's store; it
	// may return a derived context (a span) that the call carries, and a
	// function called when the call ends.
	Call func(ctx context.Context, c Call) (context.Context, func(CallResult))
	// Collapsed is called when a request joins the check of the same token
	// already under way, instead of making its own.
	Collapsed func(ctx context.Context)
	// Health is called when an endpoint's health changes: its first
	// failure while healthy, and its first success once no call to it has
	// failed for Settings.LogInterval (successes between failures do not
	// end an outage). The log records the same changes. Before New
	// returns, it is also called once for each endpoint that the
	// configuration calls, as healthy, with Failures 0 (a recovery has at
	// least 1), so that a health gauge exists from start-up: the
	// introspection endpoint when tokens are introspected, the key set
	// when RFC 9701 answers are verified or JWT access tokens are checked
	// locally, discovery when anything comes from the authorization
	// server's metadata, the shared cache when one is given. That call is
	// not logged: it is no change.
	Health func(ctx context.Context, h HealthChange)
}

// Decision is the outcome of one Authenticate, or a per-route scope
// rule's refusal.
type Decision struct {
	// Status is the HTTP status the request is answered (200 when it goes
	// on).
	Status int
	// Kind is the sentinel error of a refusal (ErrInvalidToken, ...), or
	// nil.
	Kind error
	// Description is the fixed client-facing description of a refusal.
	Description string
}

// Endpoint names what a Call reaches.
type Endpoint string

// The endpoints a ResourceServer calls.
const (
	EndpointIntrospection Endpoint = "introspection"
	EndpointJWKS          Endpoint = "jwks"
	EndpointDiscovery     Endpoint = "discovery"
	EndpointSharedCache   Endpoint = "shared_cache"
)

// Call describes a call about to be made.
type Call struct {
	// Endpoint is what is called.
	Endpoint Endpoint
	// URL is the URL called, without credentials (empty for the shared
	// cache).
	URL string
}

// CallResult describes how a call ended.
type CallResult struct {
	// Duration is how long it took.
	Duration time.Duration
	// Status is the HTTP status answered, or 0 without an answer.
	Status int
	// Outcome is "ok", "timeout", "refused" (no connection), "status" (an
	// unexpected HTTP status) or "untrusted" (an answer that cannot be read
	// or trusted). A failed call to the shared cache's store is "timeout",
	// "refused", "redirect" (the key lives on another node), "authentication"
	// (the store refused our credentials), "permission" (our user may not
	// run the command or use the key) or "tls", as the store's error names
	// it (see SharedStore), else "timeout" or "refused". A call cancelled
	// because whoever waited for it left, with no deadline passed, is
	// "canceled": neither a failure nor a success of the endpoint, its
	// health stays as it was. There are no other values: Outcome is a
	// bounded metric label.
	Outcome string
}

// HealthChange is a change of an endpoint's health.
type HealthChange struct {
	// Endpoint is the endpoint whose health changed.
	Endpoint Endpoint
	// Healthy is the new state.
	Healthy bool
	// Outcome is the failure that ended health (one of CallResult's
	// outcomes: "timeout", ...), or "ok".
	Outcome string
	// Since is when the previous state began.
	Since time.Time
	// Failures, Refused and Cached count, over the outage that ends, the
	// failed calls, the requests answered 502 or 503 and the requests
	// served from the cache; zero when health ends.
	Failures, Refused, Cached int64
}

// WithObserver attaches o. Default value: none.
func WithObserver(o Observer) Option { return func(opts *options) { opts.observer = &o } }
