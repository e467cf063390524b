package rediscache

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) add(d time.Duration)     { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock               { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }
func (b *nodeBreakers) isOpen(a string) bool { _, open := b.open(a); return open }

func TestNodeBreakerOpensAfterFailuresInARow(t *testing.T) {
	clock := newFakeClock()
	b := newNodeBreakers(clock.now)
	const a, other = "10.0.0.1:6379", "10.0.0.2:6379"

	assert.Equal(t, unchanged, b.record(a, classRefused))
	assert.Equal(t, unchanged, b.record(a, ""), "a success resets the count")
	for range nodeThreshold - 1 {
		assert.Equal(t, unchanged, b.record(a, classTimeout))
		assert.False(t, b.isOpen(a))
	}
	assert.Equal(t, opened, b.record(a, classTimeout))
	class, open := b.open(a)
	assert.True(t, open)
	assert.Equal(t, classTimeout, class, "the last failure's class")
	assert.False(t, b.isOpen(other), "per node")

	clock.add(nodeCooldown - time.Millisecond)
	assert.True(t, b.isOpen(a))
	clock.add(time.Millisecond)
	assert.False(t, b.isOpen(a), "a trial after the cooldown")
	assert.Equal(t, reopened, b.record(a, classRefused), "one more failure opens it again at once")
	assert.True(t, b.isOpen(a))
	clock.add(nodeCooldown)
	assert.Equal(t, recovered, b.record(a, ""))
	assert.False(t, b.isOpen(a))
	assert.Equal(t, unchanged, b.record(a, ""))
}

func TestNodeBreakerCountsOnlyNodeFailures(t *testing.T) {
	b := newNodeBreakers(newFakeClock().now)
	const a = "10.0.0.1:6379"
	for range 2 * nodeThreshold {
		for _, class := range []string{classAuth, classPerm, classTLS} {
			assert.Equal(t, unchanged, b.record(a, class))
		}
	}
	assert.False(t, b.isOpen(a), "configuration failures are the same on every node")
	for range nodeThreshold - 1 {
		b.record(a, classRedirect)
	}
	assert.Equal(t, opened, b.record(a, classRedirect))
}

func TestNodeBreakerPartial(t *testing.T) {
	clock := newFakeClock()
	b := newNodeBreakers(clock.now)
	const a, c2, c3 = "10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"
	assert.False(t, b.partial(a), "no other master known to answer")
	b.record(c2, "")
	b.record(c3, "")
	b.record(a, classRefused)
	assert.True(t, b.partial(a), "the others answered")

	b.record(c2, classRefused)
	assert.True(t, b.partial(a), "one other still answers")
	b.record(c3, classTimeout)
	assert.False(t, b.partial(a), "every master failed last")

	b.record(c3, "")
	assert.True(t, b.partial(a))
	clock.add(nodeFresh)
	assert.False(t, b.partial(a), "an answer older than nodeFresh proves nothing")
}
