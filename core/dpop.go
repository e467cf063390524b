package core

import (
	"context"
	"errors"
	"time"

	"github.com/oidcrs/oidcrs/core/internal/dpop"
	"github.com/oidcrs/oidcrs/core/internal/sharedcache"
)

// dpopCheck checks the DPoP proofs (RFC 9449) of one ResourceServer, on
// its clock, with one replay cache of the jti of accepted proofs.
type dpopCheck struct {
	base     *dpop.Base
	verifier *dpop.Verifier
	required bool
	// shared, when not nil, also records each accepted proof in the
	// shared store, so that no other replica takes it again (see
	// sharedReplay).
	shared *sharedcache.Cache
	now    func() time.Time
}

// newDPoPCheck returns the check of s, nil when the DPoP scheme is off, or
// when no external URL says what a proof's htu must be.
func newDPoPCheck(s Settings, now func() time.Time) *dpopCheck {
	if s.DPoP == DPoPOff || s.ExternalURL == "" {
		return nil
	}
	base, err := dpop.ParseBase(s.ExternalURL)
	if err != nil { // cannot happen: Validate parsed it
		return nil
	}
	return &dpopCheck{base: base, verifier: dpop.NewVerifier(dpop.Config{Now: now}),
		required: s.DPoP == DPoPRequired, now: now}
}

// check verifies the request's one proof for token and returns the
// thumbprint of its key, which the token's cnf.jkt must equal.
func (d *dpopCheck) check(ctx context.Context, req *Request, token string) (string, error) {
	if len(req.DPoP) != 1 {
		return "", errProofCount
	}
	uri, ok := d.base.URI(req.Path)
	if !ok || req.Method == "" {
		return "", errProofRequest
	}
	a, err := d.verifier.Accept(req.DPoP[0], dpop.Request{Method: req.Method, URI: uri, AccessToken: token})
	if err == nil {
		err = d.sharedReplay(ctx, a)
	}
	switch {
	case errors.Is(err, dpop.ErrReplayFull):
		return "", &authError{kind: ErrUnavailable, desc: descProofUnchecked, dpop: true, cause: err}
	case err != nil:
		return "", &authError{kind: ErrInvalidDPoPProof, desc: descInvalidProof, dpop: true, cause: err}
	}
	return a.JKT, nil
}

// sharedReplay refuses a proof that another replica took already, when a
// shared store is configured: the in-memory replay cache only sees this
// replica's. When the store fails or is skipped, the proof is taken on
// this replica's word alone, and the failure goes to the monitor as any
// store call's does: refusing every DPoP request while the cache is down
// would turn a cache outage into an outage of every DPoP client, while a
// proof replayed to another replica must still match its method, URI and
// token, within the 60-second window.
func (d *dpopCheck) sharedReplay(ctx context.Context, a dpop.Accepted) error {
	if d.shared == nil {
		return nil
	}
	ttl := a.Expires.Sub(d.now())
	if ttl < time.Second {
		ttl = time.Second
	}
	first, err := d.shared.Once(ctx, a.ID, ttl)
	if err == nil && !first {
		return dpop.Refusal(dpop.KindReplay)
	}
	return nil
}

var (
	errProofCount   = &authError{kind: ErrInvalidDPoPProof, desc: descInvalidProof, dpop: true, cause: errors.New("not exactly one DPoP header")}
	errProofRequest = &authError{kind: ErrInvalidDPoPProof, desc: descInvalidProof, dpop: true, cause: errors.New("the request's method or path is unknown")}
)

// acceptedProof is the DPoP proof that authenticated a request, kept in
// its context (under dpopKey, which only this package sets): a per-route
// refusal is then answered on the DPoP challenge, and a stream's
// re-decision on that context takes the same proof again without calling
// it a replay.
type acceptedProof struct{ proof, jkt string }

var dpopKey = &contextKey{"dpop"}

// usedDPoP reports whether ctx is that of a request authenticated by a
// DPoP proof.
func usedDPoP(ctx context.Context) bool {
	_, ok := ctx.Value(dpopKey).(*acceptedProof)
	return ok
}

// proofKey checks the request's proof for token, unless ctx is that of a
// request this proof already authenticated (a stream decided again), and
// returns the thumbprint of its key.
func (d *dpopCheck) proofKey(ctx context.Context, req *Request, token string) (string, error) {
	if prev, ok := ctx.Value(dpopKey).(*acceptedProof); ok && len(req.DPoP) == 1 && req.DPoP[0] == prev.proof {
		return prev.jkt, nil
	}
	return d.check(ctx, req, token)
}

// onScheme returns err to be answered on the challenge of the request's
// scheme: a copy marked dpop for a DPoP request (errors may be shared
// between requests, and are never changed), err itself otherwise.
func onScheme(err error, scheme authScheme) error {
	e, ok := err.(*authError)
	if scheme != schemeDPoP || !ok || e.dpop {
		return err
	}
	c := *e
	c.dpop = true
	return &c
}
