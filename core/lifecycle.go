package core

import (
	"context"
	"errors"
	"fmt"
)

var errClosed = newError(ErrUnavailable, descFetchFailed, errors.New("the resource server is closed"))

// Forget drops the verdict on token, the access token itself as the
// authorization server knows it: from this replica's cache, and, with a
// shared cache, from the store, telling every other replica to drop it
// too. Use it after a back-channel logout, an admin action or a revocation
// webhook; the next request with the token asks the authorization server
// again. A replica that misses the message drops the entry at its TTL.
//
// With a shared cache, Forget first waits for this replica's own write of
// the token's verdict in flight, if any; then, under every configured
// secret, it writes a marker with the time into the store and deletes the
// value; then it publishes the invalidation once per secret. A value whose
// sealed write time is not after the marker (a write that lands late, a
// value replayed by someone who can write to the store, a verdict another
// replica was still fetching) is void for OIDC_RS_CACHE_TTL. Its error
// names the store: the marker or the delete failed, or every publish did;
// this replica's entry is dropped anyway. Another replica's request
// already asking about the token may still keep the verdict it gets in its
// own memory, until its TTL.
func (rs *ResourceServer) Forget(ctx context.Context, token string) error {
	if rs == nil {
		return nil
	}
	key := rs.fp.key(token)
	rs.drop(key)
	if rs.shared == nil {
		return nil
	}
	if err := rs.shared.Forget(ctx, key, token); err != nil {
		return fmt.Errorf("oidcrs: shared cache: Forget: %w", err)
	}
	return nil
}

// drop removes one first-level entry.
func (rs *ResourceServer) drop(key cacheKey) {
	if rs.cache != nil {
		rs.cache.Remove(key)
	}
}

// Close releases what the ResourceServer started: the shared cache's
// subscription, its writes in flight and its store (when the store has a
// Close method), and the idle connections of the HTTP client New built.
// Requests after Close fail closed with 503. It is safe to call more than
// once; later calls return the first one's error.
func (rs *ResourceServer) Close() error {
	if rs == nil {
		return nil
	}
	rs.closeOnce.Do(func() {
		rs.closed.Store(true)
		if rs.shared != nil {
			rs.closeErr = rs.shared.Close()
		}
		if rs.ownClient != nil {
			rs.ownClient.CloseIdleConnections()
		}
	})
	return rs.closeErr
}
