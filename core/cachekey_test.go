package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The first-level cache key: AES-CMAC under a key of each ResourceServer
// for short tokens without a shared cache; SHA-256 XOR the fingerprint,
// the same on every replica, with one (docs/security.md).

// shaKey is SHA-256(token) XOR rs's fingerprint.
func shaKey(rs *core.ResourceServer, token string) core.CacheKey {
	k, fp := core.KeyOf(token), core.Fingerprint(rs)
	for i := range k {
		k[i] ^= fp[i]
	}
	return k
}

// ckTokens are a token CMAC keys and one just too long for it.
var ckShort, ckLong = benchOpaqueToken[:43], strings.Repeat("t", core.CMACMaxLen+1)

// TestCacheKeyIsOwnWithoutSharedCache: two servers of the same settings
// in one process key a short token differently (each has its own random
// key), and neither as SHA-256; a longer token gets SHA-256 XOR the
// fingerprint on both.
func TestCacheKeyIsOwnWithoutSharedCache(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	cached := func(s *core.Settings) { s.DisableCache = false }
	a, b := btRS(t, as, cached), btRS(t, as, cached)
	require.Equal(t, core.Fingerprint(a), core.Fingerprint(b))

	assert.Equal(t, core.KeyFor(a, ckShort), core.KeyFor(a, ckShort), "a key is the same on every call")
	assert.NotEqual(t, core.KeyFor(a, ckShort), core.KeyFor(b, ckShort), "each server has its own CMAC key")
	assert.NotEqual(t, shaKey(a, ckShort), core.KeyFor(a, ckShort))
	k := core.KeyFor(a, ckShort)
	assert.Equal(t, [16]byte{}, [16]byte(k[16:]), "a CMAC key is 16 bytes and 16 zeros")
	for _, rs := range []*core.ResourceServer{a, b} {
		assert.Equal(t, shaKey(rs, ckLong), core.KeyFor(rs, ckLong), "past CMACMaxLen: SHA-256")
	}
}

// TestCacheKeyIsSharedByReplicas: with a shared cache, every replica keys
// a token alike, short or long, so that a Forget's invalidation, which
// names the key, drops the entry on each of them.
func TestCacheKeyIsSharedByReplicas(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	a, b := btReplica(t, as, store, nil), btReplica(t, as, store, nil)
	for _, tok := range []string{ckShort, ckLong} {
		assert.Equal(t, shaKey(a, tok), core.KeyFor(a, tok))
		assert.Equal(t, core.KeyFor(a, tok), core.KeyFor(b, tok))
	}
}

// TestCacheKeyHitsAndForgets: without a shared cache, tokens on either
// side of CMACMaxLen are cached (one introspection for two requests) and
// forgotten (the next request asks again), and are not taken for one
// another.
func TestCacheKeyHitsAndForgets(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.DisableCache = false })
	toks := []string{ckShort, strings.Repeat("u", core.CMACMaxLen-16), strings.Repeat("u", core.CMACMaxLen), ckLong}
	for _, tok := range toks {
		as.SetAnswer(tok, benchAnswer(as))
	}
	for i, tok := range toks {
		for range 2 {
			_, err := btAuth(rs, tok)
			require.NoError(t, err)
		}
		require.EqualValues(t, i+1, as.IntrospectionCalls(), "token %d: the second request is a hit", i)
	}
	for i, tok := range toks {
		require.NoError(t, rs.Forget(context.Background(), tok))
		_, err := btAuth(rs, tok)
		require.NoError(t, err)
		require.EqualValues(t, len(toks)+i+1, as.IntrospectionCalls(), "token %d: forgotten, asked again", i)
	}
}
