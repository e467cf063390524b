package dpop

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func keyOf(i int) [32]byte {
	var k [32]byte
	k[0], k[1] = byte(i), byte(i>>8)
	return k
}

func TestReplaySeenUntilExpiry(t *testing.T) {
	r := NewReplay(10)
	exp := testNow.Add(time.Minute)
	require.NoError(t, r.Add(keyOf(1), exp, testNow))
	assertKind(t, r.Add(keyOf(1), exp, testNow), KindReplay)
	assertKind(t, r.Add(keyOf(1), exp, exp), KindReplay) // still live at its expiry
	require.NoError(t, r.Add(keyOf(1), exp.Add(time.Minute), exp.Add(time.Nanosecond)))
	assert.Equal(t, 1, r.Len())
}

func TestReplayFullRefusesThenRecoversAsEntriesExpire(t *testing.T) {
	r := NewReplay(3)
	for i := range 3 {
		require.NoError(t, r.Add(keyOf(i), testNow.Add(time.Duration(i+1)*time.Second), testNow))
	}
	assertKind(t, r.Add(keyOf(9), testNow.Add(time.Minute), testNow), KindReplayFull)
	// After the first entry expires, there is room for exactly one more.
	later := testNow.Add(1500 * time.Millisecond)
	require.NoError(t, r.Add(keyOf(9), testNow.Add(time.Minute), later))
	assertKind(t, r.Add(keyOf(10), testNow.Add(time.Minute), later), KindReplayFull)
	assert.Equal(t, 3, r.Len())
	// The entries that have not expired are still refused.
	assertKind(t, r.Add(keyOf(2), testNow.Add(time.Minute), later), KindReplay)
}

func TestReplayDefaultSize(t *testing.T) {
	assert.Equal(t, DefaultReplaySize, NewReplay(0).max)
}

func TestReplayConcurrentAddsAcceptEachKeyOnce(t *testing.T) {
	r := NewReplay(0)
	const workers, keys = 8, 200
	var mu sync.Mutex
	accepted := map[[32]byte]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range keys {
				if r.Add(keyOf(i), testNow.Add(time.Minute), testNow) == nil {
					mu.Lock()
					accepted[keyOf(i)]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	require.Len(t, accepted, keys)
	for _, n := range accepted {
		assert.Equal(t, 1, n)
	}
}
