package core

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// verdictFields are the settings that can change whether a token is
// accepted, or as whom: two servers that differ in one of them must never
// share a verdict. This list is the specification the table is held to.
var verdictFields = []string{
	"Backend", "ClientID", "Issuer", "IntrospectionEndpoint", "JWKSEndpoint", "Resource", "Audiences", "LocalJWT",
	"AudienceClaim", "Scopes", "ScopeClaim", "JWTTypes", "SigningAlgorithm", "EncryptionAlgorithm", "EncryptionEncoding",
	"InsecureSkipVerify", "Proxy", "Leeway", "JWTMaxAge",
}

// sampleOf sets field f of s to a non-zero value of its kind.
func sampleOf(t *testing.T, s *Settings, f string) {
	t.Helper()
	v := reflect.ValueOf(s).Elem().FieldByName(f)
	switch {
	case v.Type() == reflect.TypeFor[time.Duration]():
		v.SetInt(int64(7 * time.Second))
	case v.Kind() == reflect.String:
		v.SetString("https://sample.example/" + f)
	case v.Kind() == reflect.Bool:
		v.SetBool(true)
	case v.Kind() == reflect.Int:
		v.SetInt(7)
	case v.Kind() == reflect.Slice:
		v.Set(reflect.ValueOf([]string{"b-" + f, "a-" + f}))
	default:
		t.Fatalf("no sample for field %s of kind %s", f, v.Kind())
	}
}

// TestSettingsTableCoversEveryField fails when a Settings field has no row,
// a row names no field, or two rows share a field or a name.
func TestSettingsTableCoversEveryField(t *testing.T) {
	t.Parallel()
	rows := map[string]int{}
	names := map[string]bool{}
	for _, r := range settingsTable {
		rows[r.field]++
		if names[r.name] {
			t.Errorf("two rows are named %s", r.name)
		}
		names[r.name] = true
		if _, ok := reflect.TypeFor[Settings]().FieldByName(r.field); !ok {
			t.Errorf("row %s names no Settings field %q", r.name, r.field)
		}
	}
	for f := range reflect.TypeFor[Settings]().Fields() {
		if rows[f.Name] != 1 {
			t.Errorf("Settings.%s has %d rows in settingsTable, want 1", f.Name, rows[f.Name])
		}
	}
}

// TestSettingsTableRowsReadTheirField checks, row by row, that show prints
// the row's own field and that the row's variable sets that field and no
// other.
func TestSettingsTableRowsReadTheirField(t *testing.T) {
	t.Parallel()
	for _, r := range settingsTable {
		t.Run(r.field, func(t *testing.T) {
			var zero, one Settings
			sampleOf(t, &one, r.field)
			if r.show(&zero) == r.show(&one) {
				t.Errorf("%s prints %q whether or not Settings.%s is set", r.name, r.show(&one), r.field)
			}
			for _, other := range settingsTable {
				if other.field != r.field && other.show(&zero) != other.show(&one) {
					t.Errorf("setting Settings.%s changes how %s prints", r.field, other.name)
				}
			}
			if r.read == nil {
				return
			}
			var got Settings
			var err error
			for _, v := range []string{"7", "b, a", "true", "false", "json", "https://sample.example/x"} {
				got, err = SettingsFromEnv(func(n string) (string, bool) { return v, n == r.name })
				if err == nil && !reflect.ValueOf(got).FieldByName(r.field).IsZero() {
					break
				}
			}
			if reflect.ValueOf(got).FieldByName(r.field).IsZero() {
				t.Fatalf("no value of %s sets Settings.%s (last error: %v)", r.name, r.field, err)
			}
			for f := range reflect.TypeFor[Settings]().Fields() {
				if f.Name != r.field && !reflect.ValueOf(got).FieldByIndex(f.Index).IsZero() {
					t.Errorf("%s also set Settings.%s", r.name, f.Name)
				}
			}
		})
	}
}

// TestFingerprintCoversTheVerdictFields checks that every verdict field,
// and only those, changes the fingerprint, and that the table marks
// exactly verdictFields.
func TestFingerprintCoversTheVerdictFields(t *testing.T) {
	t.Parallel()
	var marked []string
	for _, r := range settingsTable {
		if r.decisive {
			marked = append(marked, r.field)
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(marked)), slices.Sorted(slices.Values(verdictFields))) {
		t.Errorf("the table marks %v as verdict settings, want %v", marked, verdictFields)
	}
	base := fingerprintOf(Settings{})
	for _, r := range settingsTable {
		var s Settings
		sampleOf(t, &s, r.field)
		changed := fingerprintOf(s) != base
		if want := slices.Contains(verdictFields, r.field); changed != want {
			t.Errorf("Settings.%s changes the fingerprint: %v, want %v", r.field, changed, want)
		}
	}
	if fingerprintOf(Settings{Scopes: []string{"a", "b"}}) != fingerprintOf(Settings{Scopes: []string{"b", "a"}}) {
		t.Error("the order of the scopes changed the fingerprint")
	}
}

// TestPrintersListEveryRow checks that String, LogValue and MarshalJSON
// each print every row of the table, by its name, with the row's value.
func TestPrintersListEveryRow(t *testing.T) {
	t.Parallel()
	var s Settings
	for _, r := range settingsTable {
		sampleOf(t, &s, r.field)
	}
	logged := map[string]string{}
	for _, a := range s.LogValue().Group() {
		logged[a.Key] = a.Value.String()
	}
	var marshalled map[string]string
	b, err := s.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &marshalled); err != nil {
		t.Fatal(err)
	}
	str := s.String()
	for _, r := range settingsTable {
		want := r.show(&s)
		if !strings.Contains(str, r.name+"="+strconv.Quote(want)) {
			t.Errorf("String lacks %s=%q", r.name, want)
		}
		if logged[r.name] != want {
			t.Errorf("LogValue has %s=%q, want %q", r.name, logged[r.name], want)
		}
		if marshalled[r.name] != want {
			t.Errorf("MarshalJSON has %s=%q, want %q", r.name, marshalled[r.name], want)
		}
	}
	if len(logged) != len(settingsTable) || len(marshalled) != len(settingsTable) {
		t.Errorf("LogValue has %d fields and MarshalJSON %d, want %d", len(logged), len(marshalled), len(settingsTable))
	}
}
