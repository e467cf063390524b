package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/bits"
	"net/http"
	"strings"

	"github.com/oidcrs/oidcrs/core"
)

// errCLI is the reason given to core.Disabled: the command only asks it for
// its /jwks answer, and makes no decision with it.
var errCLI = errors.New("oidcrs command: serving /jwks only")

// servedJWKS returns the status and body that /jwks answers for s, from
// core's own handler, as an application falling back to core.Disabled (or
// built with core.New, which parses the same keys) serves it.
func servedJWKS(s core.Settings) (int, []byte) {
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest(http.MethodGet, "/jwks", nil)
	core.Disabled(s, errCLI).JWKSHandler().ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.status, rec.body.Bytes()
}

// publicKey is what a command tells of one published key.
type publicKey struct {
	KeyType string `json:"kty"`
	Alg     string `json:"alg"`
	KeyID   string `json:"kid"`
	Curve   string `json:"crv"`
	N       string `json:"n"` // an RSA key's modulus, base64url
}

// size is an RSA key's size, from its modulus; 0 for other keys.
func (k publicKey) size() int {
	n, err := base64.RawURLEncoding.DecodeString(k.N)
	if err != nil || len(n) == 0 {
		return 0
	}
	return (len(n)-1)*8 + bits.Len8(n[0])
}

// publishedKeys returns the keys /jwks publishes for s, in order, or the
// reference's message and the problems that explain it.
func publishedKeys(s core.Settings) ([]publicKey, error) {
	status, body := servedJWKS(s)
	if status != http.StatusOK {
		var b struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &b)
		return nil, &keyError{msg: b.Error, problems: keyProblems(s)}
	}
	var set struct {
		Keys []publicKey `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, &keyError{msg: "Could not load key", problems: []string{"the served key set is not JSON"}}
	}
	return set.Keys, nil
}

// keyError is a missing or unusable key: the reference's message, then
// the problems of the key settings (which name a PEM block, never its
// content).
type keyError struct {
	msg      string
	problems []string
}

func (e *keyError) Error() string {
	if len(e.problems) == 0 {
		return e.msg
	}
	return e.msg + "\n  " + strings.Join(e.problems, "\n  ")
}

// keyProblems returns the problems Settings.Validate finds with the key
// settings, each naming its variable.
func keyProblems(s core.Settings) []string {
	var out []string
	for _, p := range problems(s.Validate()) {
		for _, name := range []string{"OIDC_RS_PRIVATE_KEY_STR", "OIDC_RS_ENCRYPTION_ALGO", "OIDC_RS_ENCRYPTION_KEY_TYPE"} {
			if strings.HasPrefix(p, name+":") {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// problems splits an errors.Join error into one line per problem.
func problems(err error) []string {
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []string
	for _, e := range errs {
		for line := range strings.SplitSeq(e.Error(), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
	}
	return out
}

// recorder is the smallest http.ResponseWriter that keeps an answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
