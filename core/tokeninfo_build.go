package core

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The rest of a TokenInfo starts with these flags, one byte each, for
// members left out of its JSON because they are known: "active":true, and
// an integer exp equal to ExpiresAt. Each saves its bytes in every cached
// entry.
const (
	flagActive = "a"
	flagExp    = "e"
)

// verified is what the claim checks read from an accepted answer, its
// strings still pointing into the decoded map.
type verified struct {
	issuer, subject, clientID, scope string
	audience                         []string
	expires                          time.Time
}

// compact builds the TokenInfo of an accepted answer so that a cached
// verdict holds little besides the answer's own bytes (issue 15: about a
// third of the decoded map's memory). The claims the fields hold are left
// out of the rest, which is re-encoded as one JSON text (after flags for
// "active":true and an integer exp, which need no bytes of their own); every string of
// the TokenInfo, and the rest, are cut from one allocation; the issuer is
// the configured one's string. The decoded map is dropped: Claim decodes
// the answer again when a handler asks.
func (c *claimChecker) compact(claims map[string]any, v verified) (*TokenInfo, error) {
	rest := make(map[string]any, len(claims))
	var flags string
	for k, x := range claims {
		switch k {
		case "active":
			if x == true {
				flags += flagActive // written back as "active":true
				continue
			}
		case "exp":
			if n, ok := x.(json.Number); ok && v.expires.Nanosecond() == 0 && string(n) == strconv.FormatInt(v.expires.Unix(), 10) {
				flags += flagExp // written back from ExpiresAt
				continue
			}
		case "scope":
			continue // always a string here; the TokenInfo keeps it
		case "iss", "sub", "client_id":
			if s, ok := x.(string); ok && s != "" {
				continue // the field holds it, and it is written back
			}
		}
		rest[k] = x
	}
	restJSON, err := json.Marshal(rest)
	if err != nil { // a decoded answer always marshals; refuse rather than guess
		return nil, newError(ErrBadResponse, descInvalidClaims, err)
	}
	// One backing string: subject, client id, scope, the audience values
	// that are not the client id, then the rest.
	n := len(v.subject) + len(v.clientID) + len(v.scope) + len(flags) + len(restJSON)
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
	b.WriteString(flags)
	b.Write(restJSON)
	s := b.String()
	cut := func(l int) string { out := s[:l]; s = s[l:]; return out }
	ti := &TokenInfo{Subject: cut(len(v.subject)), ExpiresAt: v.expires}
	ti.ClientID = cut(len(v.clientID))
	ti.scope = cut(len(v.scope))
	ti.Scopes = slices.Clip(splitScopeClaim(ti.scope))
	ti.Audience = make([]string, len(v.audience))
	for i, a := range v.audience {
		if a == v.clientID {
			ti.Audience[i] = ti.ClientID
		} else {
			ti.Audience[i] = cut(len(a))
		}
	}
	ti.rest = s
	if v.issuer != "" {
		ti.Issuer = c.issuer
	}
	return ti, nil
}
