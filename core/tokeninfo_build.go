package core

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The rest of a TokenInfo starts with these flags, one byte each, for
// members left out of its JSON because they are known: "active":true, and
// an integer exp equal to ExpiresAt. Each saves its bytes in every cached
// entry.
const (
	flagActive = 'a'
	flagExp    = 'e'
)

// verified is what the claim checks read from an accepted answer, its
// strings still pointing into the decoded map.
type verified struct {
	issuer, subject, clientID, scope string
	scopeClaim                       string // the claim scope was read from
	audience                         []string
	expires                          time.Time
}

// maxScratch bounds the buffers the scratch pool keeps.
const maxScratch = 64 << 10

// scratch holds the rest's JSON while its size is not known yet.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// compact builds the TokenInfo of an accepted answer so that a cached
// verdict holds little besides the answer's own bytes (issue 15: about a
// third of the decoded map's memory). The claims the fields hold are left
// out of the rest, which is encoded again as one JSON object, after flags
// for "active":true and an integer exp, which need no bytes of their own.
// Every string of the TokenInfo and the rest are cut from one allocation of
// the exact size; the issuer is the configured one's string. The decoded
// map is dropped: Claim decodes the answer again when a handler asks.
func (c *claimChecker) compact(claims map[string]any, v verified) (*TokenInfo, error) {
	bp := scratch.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxScratch { // one huge answer must not stay pinned in the pool
			scratch.Put(bp)
		}
	}()
	rest := (*bp)[:0]
	rest = append(rest, '{')
	for k, x := range claims {
		switch k {
		case "active":
			if x == true {
				rest = slices.Insert(rest, 0, flagActive) // written back as "active":true
				continue
			}
		case "exp":
			if n, ok := x.(json.Number); ok && v.expires.Nanosecond() == 0 && string(n) == strconv.FormatInt(v.expires.Unix(), 10) {
				rest = slices.Insert(rest, 0, flagExp) // written back from ExpiresAt
				continue
			}
		case "scope":
			if v.scopeClaim == "scope" {
				continue // a string; the TokenInfo keeps it
			}
		case "iss", "sub", "client_id":
			if s, ok := x.(string); ok && s != "" {
				continue // the field holds it, and it is written back
			}
		}
		if rest[len(rest)-1] != '{' {
			rest = append(rest, ',')
		}
		rest = appendJSONString(rest, k)
		rest = append(rest, ':')
		var err error
		if rest, err = appendJSONValue(rest, x); err != nil { // a decoded answer always encodes
			return nil, newError(ErrBadResponse, descInvalidClaims, err)
		}
	}
	rest = append(rest, '}')
	*bp = rest

	// One backing string: subject, client id, scope, the audience values
	// that are not the client id, then the rest.
	n := len(v.subject) + len(v.clientID) + len(v.scope) + len(rest)
	for _, a := range v.audience {
		if a != v.clientID {
			n += len(a)
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(v.subject)
	b.WriteString(v.clientID)
	b.WriteString(v.scope)
	for _, a := range v.audience {
		if a != v.clientID {
			b.WriteString(a)
		}
	}
	b.Write(rest)
	s := b.String()
	cut := func(l int) string { out := s[:l]; s = s[l:]; return out }
	ti := &TokenInfo{Subject: cut(len(v.subject)), ExpiresAt: v.expires}
	ti.ClientID = cut(len(v.clientID))
	scope := cut(len(v.scope))
	ti.Scopes = slices.Clip(splitScopeClaim(scope))
	if v.scopeClaim == "scope" {
		ti.scope = scope // else the rest keeps the claim as sent
	}
	ti.Audience = make([]string, len(v.audience))
	for i, a := range v.audience {
		if a == v.clientID {
			ti.Audience[i] = ti.ClientID
		} else {
			ti.Audience[i] = cut(len(a))
		}
	}
	ti.rest = s
	ti.bound = bindingOf(claims)
	if v.issuer != "" {
		ti.Issuer = c.issuer
	}
	return ti, nil
}

// appendJSONValue encodes a value of a decoded answer: the common types by
// hand, anything else through encoding/json.
func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return appendJSONString(b, x), nil
	case json.Number:
		if x == "" {
			break // not a number: let encoding/json refuse it
		}
		return append(b, x...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case nil:
		return append(b, "null"...), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSONValue(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	j, err := json.Marshal(v)
	return append(b, j...), err
}

// appendJSONString quotes s: printable ASCII without '"' or '\' as is,
// anything else through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			j, _ := json.Marshal(s) // a string always encodes
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
