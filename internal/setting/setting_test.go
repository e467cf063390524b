package setting_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oidcrs/oidcrs/internal/setting"
)

func TestList(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"":                    nil,
		"  ":                  nil,
		"[]":                  nil,
		"RS256":               {"RS256"},
		"RS256,ES256":         {"RS256", "ES256"},
		"RS256 ES256\tPS256":  {"RS256", "ES256", "PS256"},
		`["RS256", "ES256"]`:  {"RS256", "ES256"},
		`['groups', 'email']`: {"groups", "email"},
		" a , ,b\n":           {"a", "b"},
	} {
		assert.Equal(t, want, setting.List(in), "%q", in)
	}
}

func TestErrorName(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("wrapped: %w", setting.Errorf("OIDC_OP_URL", "is required"))
	assert.Equal(t, "OIDC_OP_URL", setting.NameOf(err))
	assert.Equal(t, "wrapped: OIDC_OP_URL: is required", err.Error())
	assert.Equal(t, "", setting.NameOf(errors.New("OIDC_OP_URL: is required")), "a name is read from the type, never the text")

	joined := errors.Join(setting.Errorf("A", "x"), errors.New("b"))
	parts := setting.Split(joined)
	assert.Len(t, parts, 2)
	assert.Equal(t, "A", setting.NameOf(parts[0]))
	assert.Nil(t, setting.Split(nil))
}
