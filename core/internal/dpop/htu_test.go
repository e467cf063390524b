package dpop

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBase(t *testing.T) {
	for _, tc := range []struct {
		raw, path, want string
	}{
		{"https://API.Example.com", "/items", "https://api.example.com/items"},
		{"https://api.example.com/", "", "https://api.example.com/"},
		{"https://api.example.com:443", "/a%2fb", "https://api.example.com/a%2Fb"},
		{"http://api.example.com:80", "/%7Euser", "http://api.example.com/~user"},
		{"http://127.0.0.1:8080", "/x", "http://127.0.0.1:8080/x"},
		{"https://[::1]", "/x", "https://[::1]/x"},
		{"https://[::1]:8443", "/x", "https://[::1]:8443/x"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			b, err := ParseBase(tc.raw)
			require.NoError(t, err)
			got, ok := b.URI(tc.path)
			require.True(t, ok)
			assert.Equal(t, tc.want, got)
		})
	}
	for _, raw := range []string{
		"", "api.example.com", "/relative", "ftp://api.example.com", "https://",
		"https://user@api.example.com", "https://api.example.com/prefix",
		"https://api.example.com/?q", "https://api.example.com/#f", "https:opaque",
		"https://api.example.com:bad", "://x",
	} {
		_, err := ParseBase(raw)
		assert.Error(t, err, "%q", raw)
	}
}

func TestBaseURIRefusesNonOriginForms(t *testing.T) {
	b, err := ParseBase("https://api.example.com")
	require.NoError(t, err)
	for _, p := range []string{"*", "api.example.com:443", "x/y"} {
		_, ok := b.URI(p)
		assert.False(t, ok, p)
	}
}

func TestNormaliseHTU(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://a.example/p?q=1#f", "https://a.example/p"},
		{"HTTPS://A.EXAMPLE", "https://a.example/"},
		{"https://a.example:443/p", "https://a.example/p"},
		{"http://a.example:443/p", "http://a.example:443/p"},
		{"https://a.example/%7e%2f", "https://a.example/~%2F"},
		{"https://a.example/%zz", ""},
		{"https://a.example/%4", ""},
	} {
		got, ok := normaliseHTU(tc.in)
		if tc.want == "" {
			assert.False(t, ok, tc.in)
			continue
		}
		require.True(t, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, in := range []string{"", "/p", "mailto:x@y", "https://u:p@a.example/", "ftp://a.example/"} {
		_, ok := normaliseHTU(in)
		assert.False(t, ok, in)
	}
}

func TestNormalisePercentKeepsATrailingPercent(t *testing.T) {
	assert.Equal(t, "/a%", normalisePercent("/a%"))
	assert.Equal(t, "/a%4", normalisePercent("/a%4"))
	assert.Equal(t, "/A%3F", normalisePercent("/%41%3f"))
}
