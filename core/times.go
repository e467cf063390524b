package core

import (
	"encoding/json"
	"math"
	"time"
)

// checkTimes checks exp, nbf and iat when present, with leeway, for the
// claim checks and the RFC 9701 envelope alike.
func checkTimes(claims map[string]any, now time.Time, leeway time.Duration) (exp, nbf, iat time.Time, err error) {
	if exp, err = optTime(claims, "exp"); err != nil {
		return
	}
	if nbf, err = optTime(claims, "nbf"); err != nil {
		return
	}
	if iat, err = optTime(claims, "iat"); err != nil {
		return
	}
	switch {
	case !exp.IsZero() && !now.Before(exp.Add(leeway)):
		err = &authError{kind: ErrInvalidToken, desc: descExpired}
	case !nbf.IsZero() && now.Add(leeway).Before(nbf):
		err = &authError{kind: ErrInvalidToken, desc: descNotYetValid}
	case !iat.IsZero() && now.Add(leeway).Before(iat):
		err = &authError{kind: ErrInvalidToken, desc: descNotYetValid}
	}
	return
}

// optTime reads a NumericDate (RFC 7519 section 2), zero when absent.
func optTime(claims map[string]any, name string) (time.Time, error) {
	v, ok := claims[name]
	if !ok || v == nil {
		return time.Time{}, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, newError(ErrBadResponse, descInvalidClaims, errBadClaimType)
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, newError(ErrBadResponse, descInvalidClaims, errBadClaimType)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}
