package suite_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// challenge is one challenge of a WWW-Authenticate value: its scheme and
// its auth-params (names lower-cased, quoted values unquoted).
type challenge struct {
	scheme string
	params map[string]string
}

// parseChallenges splits a WWW-Authenticate value (RFC 9110 section
// 11.6.1) into its challenges, e.g. `Bearer realm="x", DPoP algs="ES256"`.
// A token that is not followed by "=" starts a new challenge; token68
// credentials are not supported.
func parseChallenges(h string) ([]challenge, error) {
	var out []challenge
	for i := 0; ; {
		i = skip(h, i, " \t,")
		if i == len(h) {
			return out, nil
		}
		name, j := readToken(h, i)
		if name == "" {
			return nil, errors.New("expected a token at " + h[i:])
		}
		i = skip(h, j, " \t")
		if i == len(h) || h[i] != '=' {
			out = append(out, challenge{scheme: name, params: map[string]string{}})
			continue
		}
		if len(out) == 0 {
			return nil, errors.New("auth-param before any scheme")
		}
		i = skip(h, i+1, " \t")
		var v string
		var err error
		if i < len(h) && h[i] == '"' {
			v, i, err = readQuoted(h, i)
			if err != nil {
				return nil, err
			}
		} else if v, i = readToken(h, i); v == "" {
			return nil, errors.New("empty value for " + name)
		}
		out[len(out)-1].params[strings.ToLower(name)] = v
	}
}

func skip(h string, i int, chars string) int {
	for i < len(h) && strings.IndexByte(chars, h[i]) >= 0 {
		i++
	}
	return i
}

// readToken reads an RFC 9110 token starting at i.
func readToken(h string, i int) (string, int) {
	j := i
	for j < len(h) && (h[j] > ' ' && h[j] < 0x7f && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, rune(h[j]))) {
		j++
	}
	return h[i:j], j
}

// readQuoted reads a quoted-string starting at the quote at i.
func readQuoted(h string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(h); j++ {
		switch h[j] {
		case '\\':
			if j+1 == len(h) {
				return "", 0, errors.New("dangling backslash")
			}
			j++
			b.WriteByte(h[j])
		case '"':
			return b.String(), j + 1, nil
		default:
			b.WriteByte(h[j])
		}
	}
	return "", 0, errors.New("unterminated quoted-string")
}

func TestParseChallenges(t *testing.T) {
	t.Parallel()
	chs, err := parseChallenges(`Bearer realm="oidcrs", error="invalid_token", ` +
		`error_description="a, \"quoted\" text", DPoP realm="oidcrs", algs="ES256 EdDSA",Basic charset=UTF-8`)
	require.NoError(t, err)
	assert.Equal(t, []challenge{
		{scheme: "Bearer", params: map[string]string{"realm": "oidcrs", "error": "invalid_token",
			"error_description": `a, "quoted" text`}},
		{scheme: "DPoP", params: map[string]string{"realm": "oidcrs", "algs": "ES256 EdDSA"}},
		{scheme: "Basic", params: map[string]string{"charset": "UTF-8"}},
	}, chs)

	chs, err = parseChallenges(`Bearer`)
	require.NoError(t, err)
	assert.Equal(t, []challenge{{scheme: "Bearer", params: map[string]string{}}}, chs)

	for _, bad := range []string{`realm="x"`, `Bearer realm="x`, `Bearer realm=`, `Bearer "x"`} {
		_, err := parseChallenges(bad)
		assert.Error(t, err, bad)
	}
}
