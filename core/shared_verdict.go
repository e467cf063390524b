package core

import (
	"encoding/binary"
	"encoding/json"
	"time"
)

// A shared-cache value's plaintext, once internal/sharedcache has opened
// it: one byte for what it holds, the entry's expiry in
// unix nanoseconds (8 bytes, big endian), then JSON: the introspection
// answer of a good token (checked again by the reader, with its own
// settings), or a rejection's kind, description and scope.
const (
	verdictGood     = 'g'
	verdictRejected = 'r'
	verdictHeader   = 9
)

type sharedRejection struct {
	Kind  string `json:"k"`
	Desc  string `json:"d"`
	Scope string `json:"s,omitempty"`
	Held  string `json:"h,omitempty"` // the token's scopes, for the challenge
}

var sharedKinds = map[string]error{"invalid_token": ErrInvalidToken, "insufficient_scope": ErrInsufficientScope}

// encodeVerdict turns a cache entry into a value's plaintext; ok is false
// for what is never shared.
func encodeVerdict(e cacheEntry) ([]byte, bool) {
	out := make([]byte, verdictHeader, 512)
	binary.BigEndian.PutUint64(out[1:], uint64(e.Expires.UnixNano()))
	var body any
	switch {
	case e.Val.info != nil && e.Val.info.rest != "":
		out[0], body = verdictGood, json.RawMessage(e.Val.info.answerJSON())
	case e.Val.err != nil:
		r := sharedRejection{Desc: e.Val.err.desc, Scope: e.Val.err.scope, Held: e.Val.err.held}
		for name, kind := range sharedKinds {
			if e.Val.err.kind == kind {
				r.Kind = name
			}
		}
		if r.Kind == "" {
			return nil, false
		}
		out[0], body = verdictRejected, r
	default:
		return nil, false
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, false
	}
	return append(out, b...), true
}

// decodeVerdict reads a value's plaintext at now: a good token's claims go
// through this server's claim checks again.
func decodeVerdict(b []byte, c *claimChecker, now time.Time) (cacheEntry, bool) {
	if len(b) < verdictHeader || now.UnixNano() >= int64(binary.BigEndian.Uint64(b[1:])) {
		return cacheEntry{}, false
	}
	return decodeEntry(b, c, now)
}

// decodeEntry is decodeVerdict whatever the entry's expiry: the claims are
// still checked at now.
func decodeEntry(b []byte, c *claimChecker, now time.Time) (cacheEntry, bool) {
	if len(b) < verdictHeader {
		return cacheEntry{}, false
	}
	exp := int64(binary.BigEndian.Uint64(b[1:]))
	switch b[0] {
	case verdictGood:
		claims, err := decodeObject(b[verdictHeader:])
		if err != nil {
			return cacheEntry{}, false
		}
		ti, err := c.check(claims, now)
		if err != nil {
			return cacheEntry{}, false
		}
		return cacheEntry{Val: cached{info: ti}, Expires: time.Unix(0, exp)}, true
	case verdictRejected:
		var r sharedRejection
		if json.Unmarshal(b[verdictHeader:], &r) != nil {
			return cacheEntry{}, false
		}
		kind, ok := sharedKinds[r.Kind]
		if !ok || !printable(r.Desc, true) || (r.Scope != "" && !printable(r.Scope, true)) ||
			(r.Held != "" && !printable(r.Held, true)) {
			return cacheEntry{}, false
		}
		e := &authError{kind: kind, desc: r.Desc, scope: r.Scope, held: r.Held}
		return cacheEntry{Val: cached{err: e}, Expires: time.Unix(0, exp)}, true
	}
	return cacheEntry{}, false
}
