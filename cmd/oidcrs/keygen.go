package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/internal/pemkeys"
)

// maxKeyFile bounds what -append reads: a set of a few PEM keys.
const maxKeyFile = 1 << 20

// curves are the EC curves keygen makes, by name.
var curves = map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}

// keygenCommand prints a new PKCS#8 private key, after the keys of an
// existing set with -append. It checks the result with core's own key
// parser, and tells on stderr the kids in publication order.
func keygenCommand(_ context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("oidcrs keygen", flag.ContinueOnError)
	typ := fs.String("type", "RSA", "key type, RSA or EC, for OIDC_RS_ENCRYPTION_KEY_TYPE (with -append: the set's)")
	bits := fs.Int("bits", 3072, "RSA key size: 2048, 3072 or 4096 (with -append: the last key's)")
	curve := fs.String("curve", "P-256", "EC curve: P-256, P-384 or P-521 (with -append: the last key's)")
	appendFrom := fs.String("append", "", "print the keys of `FILE` (\"-\": stdin) first, then the new one: the set for a rotation")
	out := fs.String("out", "", "write to `FILE` (mode 0600, replaced atomically) instead of stdout; it may be the -append FILE")
	if code, ok := parseFlags(fs, args, false, e); !ok {
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	fail := func(format string, args ...any) int {
		fmt.Fprintf(e.stderr, "oidcrs keygen: "+format+"\n", args...)
		return exitUsage
	}
	*typ = strings.ToUpper(*typ)
	var existing string
	var old []jose.JSONWebKey
	if *appendFrom != "" {
		var err error
		if existing, err = readKeyFile(*appendFrom, e.stdin); err != nil {
			return fail("%v", err)
		}
		if !given["type"] {
			// The set's type: its first key's; Parse then refuses a mixed set.
			if old, err = pemkeys.Parse(existing, ""); err == nil {
				*typ = strings.Fields(keyType(old[0]))[0]
			}
		}
		if err == nil {
			old, err = pemkeys.Parse(existing, *typ)
		}
		if err != nil {
			return fail("the keys of %s cannot be used: %v", *appendFrom, err)
		}
		// The new key is like the newest one, unless told otherwise.
		switch k := old[len(old)-1].Key.(type) {
		case *rsa.PrivateKey:
			*bits = cmpGiven(given["bits"], *bits, k.N.BitLen())
		case *ecdsa.PrivateKey:
			*curve = cmpGiven(given["curve"], *curve, k.Curve.Params().Name)
		}
	}
	switch {
	case *typ != "RSA" && *typ != "EC":
		return fail("-type must be RSA or EC, not %q", *typ)
	case *typ == "EC" && given["bits"]:
		return fail("-bits is for RSA keys; EC keys take -curve")
	case *typ == "RSA" && given["curve"]:
		return fail("-curve is for EC keys; RSA keys take -bits")
	}
	block, desc, err := generateKey(*typ, *bits, strings.ToUpper(*curve))
	if err != nil {
		return fail("%v", err)
	}
	set := block
	if existing != "" {
		set = strings.TrimSpace(existing) + "\n" + block
	}
	keys, err := pemkeys.Parse(set, *typ)
	if err != nil {
		return fail("the new set does not load: %v", err)
	}
	if err := writeKeys(*out, set, e.stdout); err != nil {
		return fail("%v", err)
	}
	explainKeys(e.stderr, desc, *typ, len(old), keys)
	return exitOK
}

// cmpGiven returns the flag's value when it was given, else the set's.
func cmpGiven[T any](given bool, flagValue, fromSet T) T {
	if given {
		return flagValue
	}
	return fromSet
}

// generateKey returns a new private key as PKCS#8 PEM, and its description.
func generateKey(typ string, bits int, curveName string) (string, string, error) {
	var key any
	var err error
	desc := fmt.Sprintf("RSA %d-bit", bits)
	switch c, ok := curves[curveName]; {
	case typ == "RSA" && bits != 2048 && bits != 3072 && bits != 4096:
		return "", "", fmt.Errorf("-bits must be 2048, 3072 or 4096, not %d", bits)
	case typ == "RSA":
		key, err = rsa.GenerateKey(rand.Reader, bits)
	case !ok:
		return "", "", fmt.Errorf("-curve must be P-256, P-384 or P-521, not %q", curveName)
	default:
		key, err = ecdsa.GenerateKey(c, rand.Reader)
		desc = "EC " + curveName
	}
	if err != nil {
		return "", "", fmt.Errorf("generating the key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("encoding the key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), desc, nil
}

// readKeyFile reads the PEM set of -append: a file, or stdin for "-". A
// set copied from a .env file, on one line with literal \n, is accepted.
func readKeyFile(name string, stdin io.Reader) (string, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", fmt.Errorf("-append: %w", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	switch text := strings.TrimSpace(strings.ReplaceAll(string(b), `\n`, "\n")); {
	case err != nil:
		return "", fmt.Errorf("-append: reading %s: %w", name, err)
	case len(b) > maxKeyFile:
		return "", fmt.Errorf("-append: %s is over %d bytes", name, maxKeyFile)
	case text == "":
		return "", fmt.Errorf("-append: %s is empty", name)
	default:
		return text, nil
	}
}

// writeKeys writes the set to stdout, or to a file created with mode 0600
// and renamed into place, so that a reader never sees half a key.
func writeKeys(name, set string, stdout io.Writer) error {
	if name == "" || name == "-" {
		_, err := io.WriteString(stdout, set)
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(name), ".oidcrs-keygen-*")
	if err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	_, err = f.WriteString(set)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("-out: %w", err)
	}
	return nil
}

// explainKeys tells, on stderr, which settings go with the new key and, for
// a rotation, the order in which /jwks publishes the set.
func explainKeys(w io.Writer, desc, typ string, old int, keys []jose.JSONWebKey) {
	algs := "RSA-OAEP or RSA-OAEP-256"
	if typ == "EC" {
		algs = "ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A192KW or ECDH-ES+A256KW"
	}
	fmt.Fprintf(w, "oidcrs keygen: new %s key, kid %s.\n", desc, keys[len(keys)-1].KeyID)
	fmt.Fprintf(w, "Set OIDC_RS_ENCRYPTION_KEY_TYPE=%s and OIDC_RS_ENCRYPTION_ALGO to %s,\nthe alg the authorization server is registered to encrypt with.\n", typ, algs)
	if old == 0 {
		return
	}
	fmt.Fprintf(w, "The set holds %d keys; /jwks publishes them in this order:\n", len(keys))
	for i, k := range keys {
		note := map[bool]string{true: "  (first: the authorization server encrypts to it)"}[i == 0]
		if i == len(keys)-1 {
			note = "  (new)"
		}
		fmt.Fprintf(w, "  %d. kid %s%s\n", i+1, k.KeyID, note)
	}
	fmt.Fprint(w, "Next: deploy this set to every replica (step 1); then put the new key first and deploy\n"+
		"again (step 2); once the authorization server's copy of /jwks has expired (max-age=300),\n"+
		"deploy the new key alone (step 3). See go doc github.com/oidcrs/oidcrs/cmd/oidcrs.\n")
}
