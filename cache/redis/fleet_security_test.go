package rediscache_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Nothing readable or forgeable in Redis.

// encodings are the forms in which a secret could leak.
func encodings(s string) []string {
	out := []string{s}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		out = append(out, strings.TrimRight(enc.EncodeToString([]byte(s)), "="))
	}
	return out
}

// dump returns every key and value in Redis.
func (f *fleet) dump(t *testing.T) map[string]string {
	t.Helper()
	rdb := redisClient(t, f.redis)
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "*").Result()
	require.NoError(t, err)
	out := map[string]string{}
	for _, k := range keys {
		v, err := rdb.Get(ctx, k).Result()
		if errors.Is(err, redis.Nil) { // a lock released, or an entry expired, since KEYS
			continue
		}
		require.NoError(t, err)
		out[k] = v
	}
	return out
}

func TestFleetRedisHoldsNothingReadable(t *testing.T) {
	f := startFleet(t, 4)
	rdb := redisClient(t, f.redis)
	sub := rdb.Subscribe(context.Background(), "oidcrs:v1:invalidate")
	defer sub.Close()
	_, err := sub.Receive(context.Background())
	require.NoError(t, err)

	var tokens []string
	for range 5 {
		tok := f.mint()
		tokens = append(tokens, tok)
		for _, rs := range f.rss {
			require.Equal(t, http.StatusOK, status(rs, tok))
		}
	}
	revoked := f.mint()
	f.as.Revoke(revoked)
	require.Equal(t, http.StatusUnauthorized, status(f.rss[0], revoked))
	require.NoError(t, f.rss[0].Forget(context.Background(), tokens[0]))
	msg, err := sub.ReceiveMessage(context.Background())
	require.NoError(t, err)

	// Let the background writes land, then read everything.
	require.Eventually(t, func() bool { return len(f.dump(t)) >= 5 }, waitLimit, 10*time.Millisecond)
	dump := f.dump(t)
	secrets := []string{fleetSubject, fleetScope, fleetClientID, f.as.Config().ClientID, fleetSecret}
	secrets = append(secrets, append(tokens, revoked)...)
	everything := []string{msg.Payload}
	for k, v := range dump {
		everything = append(everything, k, v)
	}
	for _, s := range secrets {
		for _, enc := range encodings(s) {
			for _, blob := range everything {
				require.NotContains(t, blob, enc, "Redis holds a secret value")
			}
		}
	}
	for k := range dump {
		assert.True(t, strings.HasPrefix(k, "oidcrs:v1:{"), "key %q", k)
	}
	t.Logf("Redis holds %d keys after 6 tokens and one Forget", len(dump))
}

// TestFleetForgedValuesAreIgnored: a value changed in Redis, a value moved
// from one key to another and a value written with another secret are
// each ignored: the replica asks the authorization server and never
// accepts the forged verdict.
func TestFleetForgedValuesAreIgnored(t *testing.T) {
	f := startFleet(t, 1)
	rdb := redisClient(t, f.redis)
	ctx := context.Background()
	newKey := func(before map[string]string) string {
		t.Helper()
		var key string
		require.Eventually(t, func() bool {
			for k := range f.dump(t) {
				if _, ok := before[k]; !ok && !strings.HasSuffix(k, ":lock") {
					key = k
					return true
				}
			}
			return false
		}, waitLimit, 10*time.Millisecond)
		return key
	}
	good := f.mint()
	require.Equal(t, http.StatusOK, status(f.rss[0], good))
	goodKey := newKey(nil)
	bad := f.mint()
	f.as.Revoke(bad)
	before := f.dump(t)
	require.Equal(t, http.StatusUnauthorized, status(f.rss[0], bad))
	badKey := newKey(before)

	t.Run("moved", func(t *testing.T) {
		v, err := rdb.Get(ctx, goodKey).Result()
		require.NoError(t, err)
		require.NoError(t, rdb.Set(ctx, badKey, v, time.Minute).Err())
		calls := f.calls()
		require.Equal(t, http.StatusUnauthorized, status(f.replica(t, fleetSettings(f.as, fleetSecret)), bad))
		assert.Equal(t, calls+1, f.calls(), "a fresh introspection")
	})
	t.Run("changed", func(t *testing.T) {
		v, err := rdb.Get(ctx, goodKey).Result()
		require.NoError(t, err)
		b := []byte(v)
		b[len(b)/2] ^= 0x01
		require.NoError(t, rdb.Set(ctx, goodKey, b, time.Minute).Err())
		calls := f.calls()
		require.Equal(t, http.StatusOK, status(f.replica(t, fleetSettings(f.as, fleetSecret)), good))
		assert.Equal(t, calls+1, f.calls(), "the changed value was not used")
	})
	t.Run("another secret", func(t *testing.T) {
		// A replica with another secret sees the token while it is good.
		other := f.replica(t, fleetSettings(f.as, "another-secret-0123456789-abcdefghijkl"))
		tok := f.mint()
		before := f.dump(t)
		require.Equal(t, http.StatusOK, status(other, tok))
		otherKey := newKey(before)
		sealed, err := rdb.Get(ctx, otherKey).Result()
		require.NoError(t, err)
		// The token is revoked; our fleet records the rejection, then the
		// attacker writes the other secret's "good" value over it.
		f.as.Revoke(tok)
		before = f.dump(t)
		require.Equal(t, http.StatusUnauthorized, status(f.replica(t, fleetSettings(f.as, fleetSecret)), tok))
		ourKey := newKey(before)
		require.NoError(t, rdb.Set(ctx, ourKey, sealed, time.Minute).Err())
		calls := f.calls()
		require.Equal(t, http.StatusUnauthorized, status(f.replica(t, fleetSettings(f.as, fleetSecret)), tok))
		assert.Equal(t, calls+1, f.calls(), "a fresh introspection")
	})
	keys := f.dump(t)
	assert.False(t, slices.ContainsFunc(mapsKeys(keys), func(k string) bool { return strings.Contains(k, bad) }))
}

func mapsKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
