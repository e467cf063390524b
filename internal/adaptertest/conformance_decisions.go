package adaptertest

import (
	"context"
	"sync"
	"testing"

	"github.com/oidcrs/oidcrs/core"
)

// decisions records the decisions that a resource server reports to its
// Observer, so that the suite can check that every refusal an adapter
// answers was counted, with the status and description the client got:
// Authenticate's own, and a per-route scope rule's (RequireScopes, gRPC
// per-method rules), which the adapter reports through
// ResourceServer.CheckScopes.
type decisions struct {
	mu   sync.Mutex
	seen []core.Decision
}

func (d *decisions) option() core.Option {
	return core.WithObserver(core.Observer{Decision: func(_ context.Context, dec core.Decision) {
		d.mu.Lock()
		d.seen = append(d.seen, dec)
		d.mu.Unlock()
	}})
}

// take returns the decisions recorded since the last take, and forgets
// them.
func (d *decisions) take() []core.Decision {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.seen
	d.seen = nil
	return out
}

// checkCounted checks that a refusal answered to the client is the last
// decision the resource server reported for the request. A request that
// goes on has no such rule: a skipped route reports nothing. A disabled
// resource server has no Observer.
func checkCounted(t *testing.T, c conformanceCase, seen []core.Decision) {
	t.Helper()
	if c.origin != "" && len(seen) > 0 {
		t.Errorf("a CORS preflight was decided: %+v", seen)
	}
	if c.want.Status == 200 || c.origin != "" || c.variant == disabled || c.jwks || c.metadata {
		return
	}
	if len(seen) == 0 {
		t.Errorf("the refusal %d %s was not reported to the Observer", c.want.Status, c.want.Error)
		return
	}
	last := seen[len(seen)-1]
	if last.Status != c.want.Status || last.Description != c.want.Description {
		t.Errorf("the refusal %d %q was reported as %d %q (decisions %+v)",
			c.want.Status, c.want.Description, last.Status, last.Description, seen)
	}
	if c.want.Error == "insufficient_scope" && last.Kind != core.ErrInsufficientScope {
		t.Errorf("a scope refusal was reported with kind %v", last.Kind)
	}
	if c.want.Error == "insufficient_user_authentication" && last.Kind != core.ErrInsufficientUserAuthentication {
		t.Errorf("a step-up refusal was reported with kind %v", last.Kind)
	}
}
