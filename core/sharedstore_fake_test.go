package core_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// memStore is an in-memory core.SharedStore: the shared cache's tests run
// on it without Redis. Values never expire (the tests read their ttl);
// each subscriber gets its messages in order from a goroutine of its own.
// While fail is set, every call fails; while partial is set, every call
// fails as a Cluster's dead node fails its keys alone; failOn fails some
// methods only.
type memStore struct {
	fail    atomic.Bool
	partial atomic.Bool
	// holdSet, when set, holds every Set of a verdict (not of a Forget
	// marker) until it is closed: a write still in flight.
	holdSet chan struct{}

	mu     sync.Mutex
	vals   map[string]memValue
	subs   map[string][]chan []byte
	calls  map[string]int
	failed map[string]bool // methods that fail
	msgs   [][]byte        // every message published
}

type memValue struct {
	val []byte
	ttl time.Duration
}

var errStoreDown = errors.New("memStore: down")

// errNodeDown is a failure of some keys only: it says so with Partial, as
// core.SharedStore documents.
var errNodeDown error = partialError{}

type partialError struct{}

func (partialError) Error() string { return "memStore: the node of these keys is down" }
func (partialError) Partial() bool { return true }

func newMemStore() *memStore {
	return &memStore{vals: map[string]memValue{}, subs: map[string][]chan []byte{}, calls: map[string]int{},
		failed: map[string]bool{}}
}

// failOn makes every later call of each method fail.
func (m *memStore) failOn(methods ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, method := range methods {
		m.failed[method] = true
	}
}

// enter counts a call of method and says whether it fails.
func (m *memStore) enter(ctx context.Context, method string) error {
	m.calls[method]++
	switch {
	case m.fail.Load() || m.failed[method]:
		return errStoreDown
	case m.partial.Load():
		return errNodeDown
	}
	return ctx.Err()
}

func (m *memStore) Get(ctx context.Context, keys ...string) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(ctx, "Get"); err != nil {
		return nil, err
	}
	out := make([][]byte, len(keys))
	for i, k := range keys {
		if v, ok := m.vals[k]; ok {
			out[i] = bytes.Clone(v.val)
		}
	}
	return out, nil
}

func (m *memStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if m.holdSet != nil && !strings.HasSuffix(key, ":forgot") {
		<-m.holdSet
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(ctx, "Set"); err != nil {
		return err
	}
	m.vals[key] = memValue{bytes.Clone(value), ttl}
	return nil
}

func (m *memStore) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(ctx, "SetNX"); err != nil {
		return false, err
	}
	if _, ok := m.vals[key]; ok {
		return false, nil
	}
	m.vals[key] = memValue{bytes.Clone(value), ttl}
	return true, nil
}

func (m *memStore) DeleteIfEqual(ctx context.Context, key string, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(ctx, "DeleteIfEqual"); err != nil {
		return err
	}
	if v, ok := m.vals[key]; ok && bytes.Equal(v.val, value) {
		delete(m.vals, key)
	}
	return nil
}

func (m *memStore) Delete(ctx context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(ctx, "Delete"); err != nil {
		return err
	}
	for _, k := range keys {
		delete(m.vals, k)
	}
	return nil
}

func (m *memStore) Publish(ctx context.Context, channel string, msg []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.enter(ctx, "Publish"); err != nil {
		return err
	}
	m.msgs = append(m.msgs, bytes.Clone(msg))
	for _, c := range m.subs[channel] {
		c <- bytes.Clone(msg)
	}
	return nil
}

func (m *memStore) Subscribe(channel string, handle func(msg []byte)) (stop func()) {
	c := make(chan []byte, 1024)
	done := make(chan struct{})
	m.mu.Lock()
	m.subs[channel] = append(m.subs[channel], c)
	m.mu.Unlock()
	go func() {
		defer close(done)
		for msg := range c {
			handle(msg)
		}
	}()
	return sync.OnceFunc(func() {
		m.mu.Lock()
		subs := m.subs[channel]
		for i := range subs {
			if subs[i] == c {
				m.subs[channel] = append(subs[:i:i], subs[i+1:]...)
				break
			}
		}
		m.mu.Unlock()
		close(c)
		<-done
	})
}

// count returns how many times method was called.
func (m *memStore) count(method string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[method]
}

// values returns the stored verdicts (neither locks nor Forget markers),
// by key.
func (m *memStore) values() map[string]memValue {
	return m.entries(func(k string) bool {
		return !strings.HasSuffix(k, ":lock") && !strings.HasSuffix(k, ":forgot") && !strings.Contains(k, ":once:")
	})
}

// onces returns the records of DPoP proofs taken (SharedStore.SetNX under
// "...:once:{...}"), by key.
func (m *memStore) onces() map[string]memValue {
	return m.entries(func(k string) bool { return strings.Contains(k, ":once:") })
}

// markers returns the stored Forget markers, by key.
func (m *memStore) markers() map[string]memValue {
	return m.entries(func(k string) bool { return strings.HasSuffix(k, ":forgot") })
}

func (m *memStore) entries(keep func(key string) bool) map[string]memValue {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]memValue{}
	for k, v := range m.vals {
		if keep(k) {
			out[k] = v
		}
	}
	return out
}

// put replaces the value under key, or writes it back (as someone with
// write access to the store could).
func (m *memStore) put(key string, val []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.vals[key]
	v.val = bytes.Clone(val)
	m.vals[key] = v
}

// locks counts the locks held.
func (m *memStore) locks() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k := range m.vals {
		if strings.HasSuffix(k, ":lock") {
			n++
		}
	}
	return n
}

// published returns every message published so far.
func (m *memStore) published() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.msgs...)
}

// waitValues waits until the store holds n values (writes are in the
// background).
func (m *memStore) waitValues(t testing.TB, n int) map[string]memValue {
	t.Helper()
	require.Eventually(t, func() bool { return len(m.values()) == n }, 20*time.Second, time.Millisecond,
		"the store should hold %d values", n)
	return m.values()
}

// btReplica builds a resource server that trusts as, keeps its own cache
// and shares verdicts through store under secrets (btCacheSecret when
// none). Store calls get a generous timeout: the machine may be busy.
func btReplica(t testing.TB, as *oidcrstest.Server, store core.SharedStore, secrets []string, opts ...core.Option) *core.ResourceServer {
	t.Helper()
	if len(secrets) == 0 {
		secrets = []string{btCacheSecret}
	}
	rs := btRS(t, as, func(s *core.Settings) {
		s.DisableCache = false
		s.CacheSecrets = secrets
		s.CacheTimeout = 10 * time.Second
		s.Timeout = 20 * time.Second
	}, append(opts, core.WithSharedCache(store))...)
	t.Cleanup(func() { _ = rs.Close() })
	return rs
}
