package core_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The leak suite: the fault and attack tables run again, looking for
// secrets in what the resource server logs and answers.

// TestNoSecretsLeak runs every fault and attack case, in both backends,
// with a Debug logger, and looks for the token, the Authorization header,
// the client secret and the private key in the logs and in the response.
func TestNoSecretsLeak(t *testing.T) {
	cases := append(faultCases(), attackCases()...)
	cases = append(cases, failureCase{name: "success", status: 200, arrange: func(*testing.T, *harness, *probe) {}})
	t.Parallel()
	runEach(t, cases, func(t *testing.T, c failureCase, out outcome) {
		c.check(t, out)
		if c.status != 200 {
			assert.NotZero(t, out.logs.records(), "a rejection is logged")
		}
		var resp strings.Builder
		resp.WriteString(out.rec.Body.String())
		for name, vals := range out.rec.Header() {
			resp.WriteString(name + ": " + strings.Join(vals, ", ") + "\n")
		}
		secrets := out.secrets()
		assertNoSecret(t, "logs", out.logs.String(), secrets)
		assertNoSecret(t, "response", resp.String(), secrets)
	})
}

// TestLeakDetector shows that assertNoSecret does catch a planted secret.
func TestLeakDetector(t *testing.T) {
	k := testKeys()
	for _, planted := range []string{k.secretParts[0], k.secretParts[len(k.secretParts)-1], "Bearer " + strings.Repeat("t0k", 8)} {
		secrets := []string{"unrelated-" + randomString(20), planted}
		assert.Equal(t, 1, leaked("prefix "+planted+" suffix", secrets), "the detector must find the planted secret")
		assert.Equal(t, -1, leaked("prefix "+planted[:len(planted)-1]+" suffix", secrets), "nor report one that is not there")
	}
}

// minSecretLength skips values too short to be told apart from chance.
const minSecretLength = 12

func assertNoSecret(t testing.TB, where, text string, secrets []string) {
	t.Helper()
	if i := leaked(text, secrets); i >= 0 {
		t.Errorf("%s contain secret %d (%d bytes)", where, i, len(secrets[i]))
	}
}

// leaked returns the index of the first secret text contains, or -1.
func leaked(text string, secrets []string) int {
	for i, s := range secrets {
		if len(s) >= minSecretLength && strings.Contains(text, s) {
			return i
		}
	}
	return -1
}
