package core

import (
	"net/http"
	"strings"

	"github.com/oidcrs/oidcrs/core/internal/dpop"
)

// dpopAlgs is the DPoP challenge's algs parameter: the proof algorithms
// this server verifies, space separated (RFC 9449 section 7.1).
var dpopAlgs = func() string {
	names := make([]string, len(dpop.Algorithms))
	for i, a := range dpop.Algorithms {
		names[i] = string(a)
	}
	return strings.Join(names, " ")
}()

// wwwAuthenticate is the WWW-Authenticate value of e under class c: one
// challenge, or two joined by a comma (RFC 9110 section 11.6.1).
//
// Without DPoP it is the Bearer challenge alone. With DPoP, the error goes
// on the challenge of the scheme the request used: DPoP's, with its algs,
// for a request that sent a DPoP token (or, under DPoPRequired, any
// token); Bearer's otherwise. A 401 to a request that used no DPoP token
// also offers DPoP after Bearer, bare (its realm and algs), with
// DPoPAllowed; with DPoPRequired, DPoP's challenge is the only one.
func (rs *ResourceServer) wwwAuthenticate(realm, meta string, c *errorClass, e *authError) string {
	var code, desc, scope string
	switch c.challenge {
	case challengeBare:
		scope = rs.challengeScope(e, c)
	case challengeError:
		code, desc, scope = c.code, e.desc, rs.challengeScope(e, c)
	case challengeStepUp:
		code, desc = c.code, e.desc
	}
	var b strings.Builder
	write := func(scheme string, withError bool) {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		if !withError { // offered beside Bearer's, which has the rest
			writeChallenge(&b, scheme, realm, "", "", "", "")
		} else {
			writeChallenge(&b, scheme, realm, meta, code, desc, scope)
			if c.challenge == challengeStepUp {
				writeStepUp(&b, e)
			}
		}
		if scheme == "DPoP" {
			b.WriteString(`, algs=`)
			quoteTo(&b, dpopAlgs)
		}
	}
	var d *dpopCheck
	if rs != nil {
		d = rs.dpop
	}
	switch {
	case d == nil:
		write("Bearer", true)
	case e.dpop || d.required:
		write("DPoP", true)
	default:
		write("Bearer", true)
		if c.status == http.StatusUnauthorized {
			write("DPoP", false)
		}
	}
	return b.String()
}
