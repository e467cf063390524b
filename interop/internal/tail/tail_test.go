package tail

import (
	"strings"
	"testing"
)

func TestBufferKeepsTheEnd(t *testing.T) {
	b := New(8)
	for _, s := range []string{"abc", "defgh", "ijk"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got := b.String(); got != "defghijk" {
		t.Fatalf("kept %q, want the last 8 bytes", got)
	}
	_, _ = b.Write([]byte(strings.Repeat("x", 20)))
	if got := b.String(); got != strings.Repeat("x", 8) {
		t.Fatalf("kept %q after a long write", got)
	}
}
