package core

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/oidcrs/oidcrs/internal/setting"
)

// The reference's Django class paths, accepted verbatim in
// OIDC_RS_BACKEND_CLASS.
const (
	djangoJSONBackendClass = "lasuite.oidc_resource_server.backend.ResourceServerBackend"
	djangoJWTBackendClass  = "lasuite.oidc_resource_server.backend.JWTResourceServerBackend"
)

// LookupFunc reads one environment variable; os.LookupEnv is one.
type LookupFunc func(name string) (string, bool)

// SettingsFromEnv reads Settings from the environment through lookup
// (os.LookupEnv when nil), with the reference's variable names. It reports
// every unreadable value at once, naming each variable; it does not call
// Validate, so missing required values are reported by New.
func SettingsFromEnv(lookup LookupFunc) (Settings, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var s Settings
	var errs []error
	for _, row := range settingsTable {
		if row.read == nil {
			continue
		}
		v := firstSet(lookup, row.name, row.aliases)
		if v == "" {
			continue
		}
		if err := row.read(&s, v); err != nil {
			errs = append(errs, &setting.Error{Name: row.name, Err: err})
		}
	}
	return s, errors.Join(errs...)
}

// firstSet returns the trimmed value of the first of name and aliases that
// is set and not blank, or "".
func firstSet(lookup LookupFunc, name string, aliases []string) string {
	for _, n := range append([]string{name}, aliases...) {
		if v, ok := lookup(n); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// parseSeconds reads a number of seconds between 0 and a day; positive
// refuses 0.
func parseSeconds(v string, positive bool) (time.Duration, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 86400 || (positive && f == 0) {
		return 0, fmt.Errorf("%q is not a number of seconds", v)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// parseBackend reads OIDC_RS_BACKEND_CLASS: the reference's Django class
// paths, or "json" / "jwt" / "jwt-access-token".
func parseBackend(v string) (Backend, error) {
	switch strings.TrimSpace(v) {
	case djangoJSONBackendClass, "json", "JSON":
		return BackendJSON, nil
	case djangoJWTBackendClass, "jwt", "JWT":
		return BackendJWT, nil
	case "jwt-access-token":
		return BackendJWTAccessToken, nil
	}
	return "", fmt.Errorf("unknown backend %q", v)
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on", "t", "y":
		return true, nil
	case "0", "false", "no", "off", "f", "n":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", v)
}
