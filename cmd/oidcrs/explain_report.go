package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// verdict is what explain tells of one decision; it is also the -json
// form. It holds no token and no secret.
type verdict struct {
	Accepted        bool        `json:"accepted"`
	Status          int         `json:"status"`
	Error           string      `json:"error,omitempty"`
	Description     string      `json:"error_description,omitempty"`
	WWWAuthenticate string      `json:"www_authenticate,omitempty"`
	RetryAfter      string      `json:"retry_after,omitempty"`
	Cause           string      `json:"cause,omitempty"`
	Claims          *claimsView `json:"claims,omitempty"`
	Cache           string      `json:"cache"`
	Calls           []call      `json:"calls"`
}

// claimsView is the part of an accepted token's claims that explain shows;
// the other claims are named, their values left out.
type claimsView struct {
	Subject        string   `json:"sub,omitempty"`
	Scope          string   `json:"scope,omitempty"`
	Aud            string   `json:"aud,omitempty"`
	AudienceClaim  string   `json:"audience_claim"`
	Audience       []string `json:"audience,omitempty"`
	OriginAudience string   `json:"origin_audience,omitempty"`
	ClientID       string   `json:"client_id,omitempty"`
	Issuer         string   `json:"iss,omitempty"`
	ExpiresAt      string   `json:"exp,omitempty"`
	ExpiresIn      string   `json:"exp_relative,omitempty"`
	Other          []string `json:"other_claims,omitempty"`
}

func newClaimsView(ti *core.TokenInfo, audClaim string, now time.Time) *claimsView {
	c := &claimsView{Subject: ti.Subject, Scope: strings.Join(ti.Scopes, " "), AudienceClaim: audClaim,
		Audience: ti.Audience, OriginAudience: ti.OriginAudience(), ClientID: ti.ClientID, Issuer: ti.Issuer}
	if aud, ok := ti.Claim("aud"); ok {
		b, _ := json.Marshal(aud)
		c.Aud = string(b)
	}
	if !ti.ExpiresAt.IsZero() {
		c.ExpiresAt, c.ExpiresIn = ti.ExpiresAt.UTC().Format(time.RFC3339), relative(ti.ExpiresAt, now)
	}
	shown := map[string]bool{"sub": true, "scope": true, "aud": true, audClaim: true, "client_id": true, "iss": true, "exp": true}
	for _, name := range slices.Sorted(maps.Keys(ti.Claims())) {
		if !shown[name] {
			c.Other = append(c.Other, name)
		}
	}
	return c
}

// cacheNote says, from the lookups core reported, whether a cache
// answered (a new process starts with an empty one, so it never does),
// and how long an API would reuse the verdict.
func cacheNote(s core.Settings, hits []bool, sharedCache bool) string {
	note := "no cache lookup"
	switch {
	case slices.Contains(hits, true):
		note = "from the cache"
	case len(hits) > 0:
		note = "fresh: a miss in this process's cache, which starts empty"
	}
	if sharedCache {
		note += " (the shared cache, OIDC_RS_CACHE_URL, is not read by this command)"
	}
	switch {
	case s.DisableCache:
		return note + "\nan API caches no verdict (OIDC_RS_CACHE_TTL=0)"
	case s.DisableNegativeCache:
		return note + fmt.Sprintf("\nan API reuses an acceptance for up to %s (OIDC_RS_CACHE_TTL, never past exp), no refusal", short(s.CacheTTL))
	}
	return note + fmt.Sprintf("\nan API reuses an acceptance for up to %s (OIDC_RS_CACHE_TTL, never past exp),\na refusal for %s (OIDC_RS_CACHE_NEGATIVE_TTL)",
		short(s.CacheTTL), short(s.CacheNegativeTTL))
}

// write prints the verdict as aligned lines.
func (v *verdict) write(w io.Writer, colour bool) {
	line := func(name, value string) {
		fmt.Fprintf(w, "%-12s %s\n", name, indentLines(value, strings.Repeat(" ", 13)))
	}
	if v.Accepted {
		line("verdict", paint(colour, green, "accepted")+": an API passes the request to its handler")
	} else {
		line("verdict", paint(colour, red, "refused")+fmt.Sprintf(": an API answers %d %s", v.Status, v.Error))
		if v.WWWAuthenticate != "" {
			line("challenge", "WWW-Authenticate: "+v.WWWAuthenticate)
		}
		if v.RetryAfter != "" {
			line("retry after", v.RetryAfter)
		}
		line("failed check", v.Description)
		line("cause", v.Cause)
		line("claims", "not shown: oidcrs hands over the claims of accepted tokens only")
	}
	if c := v.Claims; c != nil {
		line("sub", orNone(c.Subject))
		line("scope", orNone(c.Scope))
		if c.Aud != "" {
			line("aud", c.Aud)
		}
		line("audience", fmt.Sprintf("%s (claim %s; origin audience %s)", orNone(strings.Join(c.Audience, " ")), c.AudienceClaim, orNone(c.OriginAudience)))
		line("client_id", orNone(c.ClientID))
		line("iss", orNone(c.Issuer))
		exp := "(none)"
		if c.ExpiresAt != "" {
			exp = c.ExpiresAt + " (" + c.ExpiresIn + ")"
		}
		line("exp", exp)
		if len(c.Other) > 0 {
			line("other claims", strings.Join(c.Other, ", ")+" (values not shown)")
		}
	}
	line("cache", v.Cache)
	var calls []string
	for _, c := range v.Calls {
		calls = append(calls, c.String())
	}
	line("AS calls", cmp.Or(strings.Join(calls, "\n"), "none"))
}
