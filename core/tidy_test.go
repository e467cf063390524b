package core_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The review's tidy-ups that change behaviour: one audience parser (the
// RFC 9701 envelope used to accept empty entries that the claim checks
// refused) and one printable-ASCII helper.

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

// TestEnvelopeAudienceWithEmptyEntry: the envelope's aud goes through the
// same parser as the claims.
func TestEnvelopeAudienceWithEmptyEntry(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JWT)
	btEnvelope(t, as, func(e map[string]any) { e["aud"] = []string{oidcrstest.DefaultClientID, ""} })
	rs := btRS(t, as, nil)
	_, err := btAuth(rs, as.Mint(nil))
	btRejected(t, rs, err, core.ErrBadResponse, http.StatusBadGateway, core.DescInvalidClaims)
}

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
