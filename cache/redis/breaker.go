package rediscache

import (
	"errors"
	"sync"
	"time"
)

// The per-node breaker of a Cluster store: after nodeThreshold failures in
// a row on one master, the keys it serves fail fast for nodeCooldown, and
// the slot map is reloaded, so that a failover is noticed without waiting
// for traffic to be redirected. A master counts as answering for
// nodeFresh after its last success.
const (
	nodeThreshold = 3
	nodeCooldown  = 2 * time.Second
	nodeFresh     = 30 * time.Second
)

// errNodeDown is the cause of a call that failed fast because the master
// serving its key failed repeatedly.
var errNodeDown = errors.New("the Redis Cluster node serving this key failed repeatedly: skipped for a moment")

// nodeBreakers holds the health of each Cluster master this store called,
// by address. It is safe for concurrent use.
type nodeBreakers struct {
	now func() time.Time

	mu    sync.Mutex
	nodes map[string]*nodeHealth
}

type nodeHealth struct {
	fails     int       // failures in a row
	class     string    // the last failure's cause class
	openUntil time.Time // calls fail fast until then
	lastOK    time.Time // the last success
}

func newNodeBreakers(now func() time.Time) *nodeBreakers {
	return &nodeBreakers{now: now, nodes: map[string]*nodeHealth{}}
}

// open reports whether calls to addr fail fast now, and the cause class
// of the failures that opened its breaker.
func (b *nodeBreakers) open(addr string) (class string, open bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.nodes[addr]
	if n == nil || !b.now().Before(n.openUntil) {
		return "", false
	}
	return n.class, true
}

// transition is what one outcome did to a node's breaker.
type transition int

const (
	unchanged transition = iota
	opened               // the node failed nodeThreshold times in a row after answering
	reopened             // it failed again after its cooldown
	recovered            // it answered after its breaker had opened
)

// record counts one call's outcome on addr: class is "" for a success, or
// the cause class of a failure. Only failures that say the node is down
// or moved (timeout, refused, redirect) count: authentication, permission
// and TLS failures are the configuration's, the same on every node.
func (b *nodeBreakers) record(addr, class string) transition {
	if class != "" && !nodeClass(class) {
		return unchanged
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.nodes[addr]
	if n == nil {
		n = &nodeHealth{}
		b.nodes[addr] = n
	}
	now := b.now()
	if class == "" {
		was := n.fails >= nodeThreshold
		n.fails, n.class, n.openUntil, n.lastOK = 0, "", time.Time{}, now
		if was {
			return recovered
		}
		return unchanged
	}
	n.fails++
	n.class = class
	if n.fails < nodeThreshold {
		return unchanged
	}
	n.openUntil = now.Add(nodeCooldown)
	if n.fails == nodeThreshold {
		return opened
	}
	return reopened
}

// partial reports whether a failure on addr leaves other masters
// answering: one of them succeeded within nodeFresh and has not failed
// since.
func (b *nodeBreakers) partial(addr string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	for a, n := range b.nodes {
		if a != addr && n.fails == 0 && !n.lastOK.IsZero() && now.Sub(n.lastOK) < nodeFresh {
			return true
		}
	}
	return false
}

// nodeClass reports a cause class that tells of the node itself.
func nodeClass(class string) bool {
	return class == classTimeout || class == classRefused || class == classRedirect
}
