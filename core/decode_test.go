package core_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oidcrs/oidcrs/core"
)

// One audience parser, shared by the claim checks and the RFC 9701
// envelope.

func TestOneAudienceParser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		v    any
		want []string
		ok   bool
	}{
		{"string", "a", []string{"a"}, true},
		{"array", []any{"a", "b"}, []string{"a", "b"}, true},
		{"empty string", "", nil, false},
		{"empty array", []any{}, nil, false},
		{"array with an empty entry", []any{"a", ""}, nil, false},
		{"array with a number", []any{"a", 1}, nil, false},
		{"number", 1, nil, false},
		{"nil", nil, nil, false},
	} {
		got, ok := core.ParseAudience(tc.v)
		assert.Equal(t, tc.ok, ok, tc.name)
		assert.Equal(t, tc.want, got, tc.name)
	}
}
