package mcprs

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestOwnerIDIsUnambiguous: issuers and values chosen to end where
// another begins, under any separator, still give distinct owners.
func TestOwnerIDIsUnambiguous(t *testing.T) {
	owners := [][3]string{
		{"sub", "https://a", "b c"},
		{"sub", "https://a b", "c"},
		{"sub", `https://a" "b`, "c"},
		{"sub", "https://a", `b" "c`},
		{"sub", "https://a", "u"},
		{"client_id", "https://a", "u"},
		{"sub", "", "https://a u"},
		{"sub", "https://a\xff", "u"},
		{"sub", "https://a\ufffd", "u"},
	}
	seen := map[string][3]string{}
	for _, o := range owners {
		id := ownerID(o[0], o[1], o[2])
		if prev, dup := seen[id]; dup {
			t.Errorf("%q and %q both give %q", prev, o, id)
		}
		seen[id] = o
	}
	assert.Equal(t, `sub "https://as.example" "user-1"`, ownerID("sub", "https://as.example", "user-1"), "the documented form")
}
