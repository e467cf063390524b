package core

import (
	"errors"
	"net/http"
)

// AuthenticateRequest authenticates r and returns it with the TokenInfo
// (and the user, with a UserLookup hook) in its context. Two Authorization
// headers are ErrInvalidRequest. Every adapter calls it.
func (rs *ResourceServer) AuthenticateRequest(r *http.Request) (*http.Request, error) {
	vals := r.Header["Authorization"]
	var header string
	switch len(vals) {
	case 0:
	case 1:
		header = vals[0]
	default:
		rs.reject(r.Context(), errManyHeaders)
		return r, errManyHeaders
	}
	ti, err := rs.Authenticate(r.Context(), header)
	if err != nil {
		return r, err
	}
	ctx := NewContext(r.Context(), ti)
	if rs.userLookup != nil {
		user, err := rs.LookupUser(ctx, ti)
		if err != nil {
			return r, err
		}
		ctx = NewUserContext(ctx, user)
	}
	return r.WithContext(ctx), nil
}

// Anonymous reports whether err only says the request carried no token, so
// that an optional-authentication route may go on anonymously. A malformed
// or bad token is never anonymous.
func Anonymous(err error) bool { return errors.Is(err, ErrMissingToken) }

// Middleware returns net/http middleware that requires a good bearer
// token on every request, and answers failures with ErrorResponse. It
// fails closed: any error stops the request.
func (rs *ResourceServer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2, err := rs.AuthenticateRequest(r)
		if err != nil {
			rs.ErrorResponse(err).Write(w)
			return
		}
		next.ServeHTTP(w, r2)
	})
}

// RequireScopes returns net/http middleware, placed after Middleware, that
// answers 403 insufficient_scope unless the token satisfies req. Without a
// token in the context it answers 401.
func (rs *ResourceServer) RequireScopes(req ScopeRequirement) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := rs.CheckScopes(r, req); err != nil {
				rs.ErrorResponse(err).Write(w)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CheckScopes checks req against the token in r's context: ErrMissingToken
// when there is none (an anonymous request on an optional route), else
// req.Check.
func (rs *ResourceServer) CheckScopes(r *http.Request, req ScopeRequirement) error {
	ti, ok := FromContext(r.Context())
	if !ok {
		return errNoToken
	}
	return req.Check(ti)
}
