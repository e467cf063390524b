package core

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
)

// lookupUser runs the UserLookup hook for a verified token.
func (rs *ResourceServer) lookupUser(ctx context.Context, ti *TokenInfo) (any, error) {
	if ti.Subject == "" {
		err := &authError{kind: ErrInvalidToken, desc: descNoSubject}
		rs.reject(ctx, err)
		return nil, err
	}
	user, err := rs.userLookup(ctx, ti)
	if err != nil {
		if errors.Is(err, ErrInvalidToken) {
			// The hook refused the user: a verdict on the token, not a fault.
			err = newError(ErrInvalidToken, descNoUser, err)
			rs.reject(ctx, err)
			return nil, err
		}
		err = newError(ErrUnavailable, descUserLookupFailed, err)
		rs.logger.LogAttrs(ctx, slog.LevelWarn, "oidcrs: user lookup failed", slog.String("error", err.Error()))
		return nil, err
	}
	if isNil(user) {
		err := &authError{kind: ErrInvalidToken, desc: descNoUser}
		rs.reject(ctx, err)
		return nil, err
	}
	return user, nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}
