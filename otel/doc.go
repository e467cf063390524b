// Package oidcrsotel turns a core.Observer's reports into OpenTelemetry
// metrics and spans, so that an operator sees the authorization server
// slow down, the cache hit rate collapse after a deploy, or a key rotation
// break decryption, before users do. It is a module of its own, so that
// core stays free of dependencies.
//
// Metrics, named with the prefix "oidcrs." (Prometheus shows them as
// oidcrs_...):
//
//	oidcrs.requests          counter    each decision, by outcome and HTTP status
//	oidcrs.cache.lookups     counter    by level (1, 2) and result (hit, miss)
//	oidcrs.cache.stale       counter    verified answers used past their TTL while the authorization server fails (stale-if-error), by level
//	oidcrs.as.call.duration  histogram  seconds, calls to the authorization server and the shared cache, by endpoint and outcome
//	oidcrs.jwks.fetches      counter    fetches of the authorization server's JWKS, by outcome
//	oidcrs.collapsed         counter    requests that joined a check already under way
//	oidcrs.endpoint.healthy  gauge      1 while an endpoint works, 0 while it fails; from start-up for each endpoint called
//
// Spans: one client span per call to the authorization server
// (introspection, JWKS, discovery) or the shared cache, a child of the
// request's span when the request context carries one, with the HTTP
// semantic-convention attributes. No attribute holds a token, a secret, a
// sub or a claim.
//
// The outgoing HTTP client can also be wrapped with otelhttp and given to
// core.WithHTTPClient, for transport-level spans and metrics.
package oidcrsotel
