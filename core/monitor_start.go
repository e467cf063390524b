package core

import "context"

// started announces to the Observer, once, when New is done, each endpoint
// that the configurations call as healthy, so that a health gauge exists
// from start-up and reads 1 until a call fails, rather than appearing at
// the first failure. It is not a change of health: nothing is logged, and
// the announcement is told from a recovery by its Failures, 0 (a recovery
// ends an outage of at least one failed call). Each endpoint's state
// begins now: the Since of its first failure.
func (m *monitor) started(eps []Endpoint) {
	if m == nil {
		return
	}
	now := m.now()
	for _, ep := range eps {
		h := m.health[ep]
		h.mu.Lock()
		h.since = now
		h.mu.Unlock()
	}
	if m.obs == nil || m.obs.Health == nil {
		return
	}
	for _, ep := range eps {
		m.obs.Health(context.Background(), HealthChange{Endpoint: ep, Healthy: true, Outcome: "ok", Since: now})
	}
}

// endpointsUsed returns, in the order of the Endpoint constants, the
// endpoints that all's configurations may call: introspection when one
// introspects; the key set when RFC 9701 answers are verified or JWT access
// tokens are checked locally; discovery when an endpoint, or the client
// authentication method, comes from the authorization server's metadata;
// and the shared cache when there is one.
func endpointsUsed(all []*issuer, shared bool) []Endpoint {
	use := map[Endpoint]bool{EndpointSharedCache: shared}
	for _, cfg := range all {
		s := cfg.settings
		intro := cfg.intro != nil
		keys := s.Backend == BackendJWT || cfg.local != nil
		use[EndpointIntrospection] = use[EndpointIntrospection] || intro
		use[EndpointJWKS] = use[EndpointJWKS] || keys
		use[EndpointDiscovery] = use[EndpointDiscovery] ||
			intro && (s.IntrospectionEndpoint == "" || s.ClientAuth == "") ||
			keys && s.JWKSEndpoint == ""
	}
	var out []Endpoint
	for _, ep := range monitoredEndpoints {
		if use[ep] {
			out = append(out, ep)
		}
	}
	return out
}
