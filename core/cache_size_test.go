package core_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
)

// TestMemoryCacheSizeMeansSize: a cache of size N holds N distinct live
// tokens without evicting any (before, each of the 64 shards got an exact
// share and a full cache held 94-100 % of N); eviction starts only past N.
func TestMemoryCacheSizeMeansSize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 10, 100, 1000, 100_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			c := core.NewMemoryCache(n)
			now := time.Now()
			exp := now.Add(time.Hour)
			for i := range n {
				c.Set(core.KeyOf(fmt.Sprint("token-", i)), core.CacheEntry{Info: &core.TokenInfo{}, Expires: exp}, now)
			}
			require.Equal(t, n, c.Len())
			for i := range n {
				_, ok := c.Get(core.KeyOf(fmt.Sprint("token-", i)), now)
				require.True(t, ok, "token %d of %d was evicted before the cache was full", i, n)
			}
			c.Set(core.KeyOf("one-more"), core.CacheEntry{Info: &core.TokenInfo{}, Expires: exp}, now)
			_, ok := c.Get(core.KeyOf("one-more"), now)
			assert.True(t, ok, "the newest entry is kept")
			assert.LessOrEqual(t, c.Len(), n, "past N, entries are evicted")
		})
	}
}
