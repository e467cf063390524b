package core

import "github.com/oidcrs/oidcrs/core/internal/vcache"

// cached is what the first level of the verdict cache holds for a token: a
// verified TokenInfo, or the rejection of a token the authorization server
// answered about. Both are shared read-only between requests. Transport
// and authorization server errors are never stored.
type cached struct {
	info *TokenInfo
	err  *authError // the rejection when info is nil
}

// cacheEntry is a verdict and the time it stops being reused.
type cacheEntry = vcache.Entry[cached]

// cacheKey identifies a verdict: a keyed AES-CMAC of a short token under
// this server's own key, or the token's SHA-256 bound to the settings
// fingerprint (with a shared cache, or a long token; see fingerprint.go).
// The cache never holds a raw token.
type cacheKey = vcache.Key

// verdictCache is the first level of the verdict cache, one per
// ResourceServer, bounded by OIDC_RS_CACHE_SIZE; its hits take no lock and
// do not allocate.
type verdictCache = vcache.Cache[cached]
