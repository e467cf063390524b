package sharedcache

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

// TestFoundVoidsWhatAMarkerCovers: which value a read uses, given the
// values and markers it found under each secret of a rotation.
func TestFoundVoidsWhatAMarkerCovers(t *testing.T) {
	fp := [32]byte{4}
	const tok = "token-1"
	c := &Cache{cfg: Config{Fingerprint: fp, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		keys: []sealKeys{mustKeys(t, testSecretA), mustKeys(t, testSecretB)}}
	t0 := time.Unix(1700000000, 0)
	type entry struct {
		secret int // index in c.keys
		value  *time.Time
		marker *time.Time
		junk   bool // the marker does not open
	}
	at := func(d time.Duration) *time.Time { t := t0.Add(d); return &t }
	for _, tc := range []struct {
		name    string
		entries []entry
		want    string // the plaintext used; "" for none
	}{
		{name: "a value alone", entries: []entry{{value: at(0)}}, want: "v0"},
		{name: "written before the marker", entries: []entry{{value: at(0), marker: at(time.Second)}}},
		{name: "written at the marker's instant", entries: []entry{{value: at(0), marker: at(0)}}},
		{name: "written after the marker", entries: []entry{{value: at(time.Nanosecond), marker: at(0)}}, want: "v0"},
		{name: "a marker that does not open", entries: []entry{{value: at(time.Hour), marker: at(0), junk: true}}},
		{name: "the old secret's marker", entries: []entry{{value: at(0)}, {secret: 1, marker: at(time.Second)}}},
		{name: "the latest of two markers", entries: []entry{{value: at(time.Second), marker: at(0)}, {secret: 1, marker: at(2 * time.Second)}}},
		{name: "the value written last", entries: []entry{{value: at(0), marker: at(time.Second)}, {secret: 1, value: at(2 * time.Second)}},
			want: "v1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f found
			for _, e := range tc.entries {
				k := &c.keys[e.secret]
				key := k.storeKey(&fp, tok)
				aead, err := k.valueAEAD(&fp, tok)
				if err != nil {
					t.Fatal(err)
				}
				var value, marker []byte
				if e.value != nil {
					value = sealTimed(aead, *e.value, []byte{'v', '0' + byte(e.secret)}, key)
				}
				if e.marker != nil {
					marker = sealTimed(aead, *e.marker, nil, key+markerSuffix)
				}
				if e.junk {
					marker[len(marker)-1] ^= 1
				}
				f.add(c, k, key, tok, value, marker)
			}
			if got := string(f.usable()); got != tc.want {
				t.Fatalf("used %q, want %q", got, tc.want)
			}
		})
	}
}
