package core_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oidcrs/oidcrs/core"
)

func TestPrintable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s            string
		space, plain bool
	}{
		{"groups", true, true},
		{"a b", true, false},
		{"", false, false},
		{`a"b`, false, false},
		{`a\b`, false, false},
		{"a\tb", false, false},
		{"caf\u00e9", false, false},
		{"a\x7fb", false, false},
		{"~!#$%&'()*+,-./:;<=>?@[]^_`{|}", true, true},
	} {
		assert.Equal(t, tc.space, core.Printable(tc.s, true), "%q with space", tc.s)
		assert.Equal(t, tc.plain, core.Printable(tc.s, false), "%q without space", tc.s)
	}
}
