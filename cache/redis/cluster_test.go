package rediscache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
)

func TestClusterModeCommands(t *testing.T) {
	t.Parallel()
	c := newSlotCluster(t)
	store := c.store(t, storeTimeout)
	for i, k := range thirdKeys {
		require.NoError(t, store.Set(bounded(t), k, []byte{byte('a' + i)}, time.Minute))
		assert.Equal(t, string(rune('a'+i)), redisClient(t, c.srvs[i]).Get(bounded(t), k).Val(), "on the master of its slot")
		got, err := store.Get(bounded(t), k, k+":lock")
		require.NoError(t, err)
		assert.Equal(t, []byte{byte('a' + i)}, got[0])
		assert.Nil(t, got[1])
		ok, err := store.SetNX(bounded(t), k+":lock", []byte("me"), time.Minute)
		require.NoError(t, err)
		assert.True(t, ok)
		require.NoError(t, store.DeleteIfEqual(bounded(t), k+":lock", []byte("me")))
		require.NoError(t, store.Delete(bounded(t), k))
		assert.Zero(t, redisClient(t, c.srvs[i]).Exists(bounded(t), k, k+":lock").Val())
	}
}

func TestClusterNodeFailureIsPartial(t *testing.T) {
	t.Parallel()
	c := newSlotCluster(t)
	store := c.store(t, slowTimeout)
	for _, k := range thirdKeys {
		require.NoError(t, store.Set(bounded(t), k, []byte("v"), time.Minute))
	}
	c.srvs[1].Pause()
	defer c.srvs[1].Resume()
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}

	// Failures of the paused master, while the others answer: partial.
	reloads := c.reloads.Load()
	for range 3 {
		_, err := store.Get(short(), thirdKeys[1])
		require.Error(t, err)
		class, partial := causeOf(t, err)
		assert.Equal(t, "timeout", class)
		assert.True(t, partial, "one master of three")
		assert.False(t, errors.Is(err, rediscache.ErrNodeDown), "not yet failing fast")
		_, err = store.Get(bounded(t), thirdKeys[0])
		require.NoError(t, err, "the other masters answer")
	}

	// Now the paused master's keys fail fast: a call that waited for it
	// would wait callTimeout.
	start := time.Now()
	err := store.Set(bounded(t), thirdKeys[1], []byte("v"), time.Minute)
	assert.Less(t, time.Since(start), callTimeout/2, "the call waited for the paused master")
	require.ErrorIs(t, err, rediscache.ErrNodeDown)
	class, partial := causeOf(t, err)
	assert.Equal(t, "timeout", class, "the class of the failures that opened the breaker")
	assert.True(t, partial)
	require.Eventually(t, func() bool { return c.reloads.Load() > reloads }, waitLimit, 10*time.Millisecond,
		"the slot map was not reloaded")
	for _, k := range []string{thirdKeys[0], thirdKeys[2]} {
		_, err := store.Get(bounded(t), k)
		require.NoError(t, err, "other masters' keys are unaffected")
	}

	// Back after the cooldown.
	c.srvs[1].Resume()
	require.Eventually(t, func() bool {
		_, err := store.Get(bounded(t), thirdKeys[1])
		return err == nil
	}, waitLimit, 50*time.Millisecond)
}

func TestClusterAllNodesDownIsNotPartial(t *testing.T) {
	t.Parallel()
	c := newSlotCluster(t)
	store := c.store(t, storeTimeout)
	for _, k := range thirdKeys {
		require.NoError(t, store.Set(bounded(t), k, []byte("v"), time.Minute))
	}
	for _, s := range c.srvs {
		s.Kill()
	}
	for _, k := range thirdKeys { // each master fails once
		_, err := store.Get(bounded(t), k)
		require.Error(t, err)
	}
	for _, k := range thirdKeys {
		_, err := store.Get(bounded(t), k)
		require.Error(t, err)
		class, partial := causeOf(t, err)
		assert.Equal(t, "refused", class)
		assert.False(t, partial, "no master answers: the whole store is down")
	}
}

func TestClusterPublishReachesThroughLiveMasters(t *testing.T) {
	t.Parallel()
	c := newSlotCluster(t)
	sub := c.store(t, storeTimeout)
	pub := c.store(t, storeTimeout)
	got := make(chan string, 100)
	stop := sub.Subscribe("inval", func(msg []byte) { got <- string(msg) })
	defer stop()
	c.waitShardSubscribers(t, "inval", 1)

	require.NoError(t, pub.Publish(bounded(t), "inval", []byte("all up")))
	for range rediscache.ShardChannels("inval") { // once per sharded name
		assert.Equal(t, "all up", receive(t, got, waitLimit))
	}

	err := pub.Publish(bounded(t), "other", []byte("m"))
	require.ErrorIs(t, err, rediscache.ErrNoReceivers, "nobody subscribes to other")
	_, partial := causeOf(t, err)
	assert.False(t, partial)

	c.srvs[0].Kill()
	c.srvs[2].Kill()
	require.NoError(t, pub.Publish(bounded(t), "inval", []byte("one left")), "one live master is enough")
	assert.Equal(t, "one left", receive(t, got, waitLimit))

	c.srvs[1].Kill()
	err = pub.Publish(bounded(t), "inval", []byte("none left"))
	require.Error(t, err)
	class, partial := causeOf(t, err)
	assert.Equal(t, "refused", class)
	assert.False(t, partial, "nobody was reached")
}

func TestClusterSubscriptionSurvivesRestart(t *testing.T) {
	t.Parallel()
	c := newSlotCluster(t)
	sub := c.store(t, storeTimeout)
	pub := c.store(t, storeTimeout)
	got := make(chan string, 1000)
	stop := sub.Subscribe("inval", func(msg []byte) { got <- string(msg) })
	defer stop()
	c.waitShardSubscribers(t, "inval", 1)

	c.srvs[1].Kill()
	c.srvs[1].Restart(t)
	c.srvs[0].Kill()
	c.srvs[2].Kill()
	// Only the restarted master is left: the subscriptions on it come back
	// by themselves.
	deadline := time.Now().Add(waitLimit)
	for {
		if pub.Publish(bounded(t), "inval", []byte("after")) == nil {
			break
		}
		require.True(t, time.Now().Before(deadline), "no subscriber on the restarted master within %v", waitLimit)
		time.Sleep(50 * time.Millisecond)
	}
	assert.Equal(t, "after", receive(t, got, waitLimit))
}

func TestClusterSubscriptionNotConfirmedIsOpenedAgain(t *testing.T) {
	t.Parallel()
	c := newSlotCluster(t)
	for _, s := range c.srvs { // a user who may not subscribe yet
		require.NoError(t, redisClient(t, s).Do(bounded(t),
			"ACL", "SETUSER", "replica", "on", ">pw", "~*", "resetchannels", "+@all").Err())
	}
	sub := c.storeAs(t, storeTimeout, "replica", "pw")
	pub := c.store(t, storeTimeout)
	got := make(chan string, 1000)
	stop := sub.Subscribe("inval", func(msg []byte) { got <- string(msg) })
	defer stop()
	err := pub.Publish(bounded(t), "inval", []byte("refused"))
	require.ErrorIs(t, err, rediscache.ErrNoReceivers, "Redis refused every SSUBSCRIBE (NOPERM)")

	for _, s := range c.srvs {
		require.NoError(t, redisClient(t, s).Do(bounded(t), "ACL", "SETUSER", "replica", "allchannels").Err())
	}
	// Redis answered NOPERM and the connections stayed up: only opening
	// the subscriptions again brings them back.
	c.waitShardSubscribers(t, "inval", 1)
	require.NoError(t, pub.Publish(bounded(t), "inval", []byte("allowed")))
	assert.Equal(t, "allowed", receive(t, got, waitLimit))
}
