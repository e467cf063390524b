package core_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestErrorsCannotBeChanged: the returned errors have no exported field,
// so a caller cannot change what a later request is answered, and
// errors.Is against the sentinels still works.
func TestErrorsCannotBeChanged(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.DisableCache = false })
	first := rs.ErrorResponse(func() error { _, err := btAuth(rs, "revoked"); return err }())
	for _, hdr := range [][]string{nil, {"Bearer "}, {"Bearer revoked"}, {"Bearer a", "Bearer b"}} {
		_, err := rs.Authenticate(context.Background(), hdr)
		require.Error(t, err)
		typ := reflect.TypeOf(err)
		require.Equal(t, reflect.Pointer, typ.Kind())
		for i := range typ.Elem().NumField() {
			assert.False(t, typ.Elem().Field(i).IsExported(), "%s has the exported field %s", typ, typ.Elem().Field(i).Name)
		}
		assert.False(t, typ.Elem().Field(0).IsExported())
	}
	again := rs.ErrorResponse(func() error { _, err := btAuth(rs, "revoked"); return err }())
	assert.Equal(t, first, again, "a cached rejection answers the same")
}
