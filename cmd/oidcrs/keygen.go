package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/oidcrs/oidcrs/internal/pemkeys"
)

// maxKeyFile bounds what -append reads: a set of a few PEM keys.
const maxKeyFile = 1 << 20

// curves are the EC curves keygen makes, by name.
var curves = map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}

// keygenCommand prints a new PKCS#8 private key, after the keys of an
// existing set with -append. It checks the result with core's own key
// parser, and tells on stderr the settings that go with it.
func keygenCommand(_ context.Context, fs *flag.FlagSet, args []string, e *env) int {
	typ := fs.String("type", "RSA", "key type, RSA or EC, for OIDC_RS_ENCRYPTION_KEY_TYPE (with -append: the set's)")
	bits := fs.Int("bits", 3072, "RSA key size: 2048, 3072 or 4096")
	curve := fs.String("curve", "P-256", "EC curve: P-256, P-384 or P-521")
	appendFrom := fs.String("append", "", "print the keys of `FILE` (\"-\": stdin) first, then the new one: the set for a rotation")
	out := fs.String("out", "", "write to `FILE` (mode 0600, replaced atomically) instead of stdout; it may be the -append FILE")
	if code, ok := parseFlags(fs, args, false, e); !ok {
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	fail := func(err error) int {
		fmt.Fprintf(e.stderr, "oidcrs keygen: %v\n", err)
		return exitUsage
	}
	existing, old := "", 0
	if *appendFrom != "" {
		var err error
		if existing, err = readKeyFile(*appendFrom, e.stdin); err != nil {
			return fail(err)
		}
		// The new key is of the set's type; the new set is parsed whole below.
		want := ""
		if given["type"] {
			want = *typ
		}
		keys, err := pemkeys.Parse(existing, want)
		if err != nil {
			return fail(fmt.Errorf("the keys of %s cannot be used: %w", *appendFrom, err))
		}
		if _, isEC := keys[0].Key.(*ecdsa.PrivateKey); !given["type"] && isEC {
			*typ = "EC"
		}
		old = len(keys)
	}
	*typ, *curve = strings.ToUpper(*typ), strings.ToUpper(*curve)
	var key any
	var err error
	switch c, ok := curves[*curve]; {
	case *typ != "RSA" && *typ != "EC":
		err = fmt.Errorf("-type must be RSA or EC, not %q", *typ)
	case *typ == "EC" && given["bits"], *typ == "RSA" && given["curve"]:
		err = errors.New("-bits is for RSA keys, -curve for EC keys")
	case *typ == "RSA" && *bits != 2048 && *bits != 3072 && *bits != 4096:
		err = fmt.Errorf("-bits must be 2048, 3072 or 4096, not %d", *bits)
	case *typ == "RSA":
		key, err = rsa.GenerateKey(rand.Reader, *bits)
	case !ok:
		err = fmt.Errorf("-curve must be P-256, P-384 or P-521, not %q", *curve)
	default:
		key, err = ecdsa.GenerateKey(c, rand.Reader)
	}
	var der []byte
	if err == nil {
		der, err = x509.MarshalPKCS8PrivateKey(key)
	}
	if err != nil {
		return fail(err)
	}
	set := strings.TrimLeft(existing+"\n", "\n") + string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	keys, err := pemkeys.Parse(set, *typ)
	if err == nil {
		err = writeKeys(*out, set, e.stdout)
	}
	if err != nil {
		return fail(err)
	}
	algs := map[string]string{"RSA": "RSA-OAEP or RSA-OAEP-256", "EC": "ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A192KW or ECDH-ES+A256KW"}[*typ]
	fmt.Fprintf(e.stderr, "oidcrs keygen: new %s key, kid %s.\nSet OIDC_RS_ENCRYPTION_KEY_TYPE=%s, and OIDC_RS_ENCRYPTION_ALGO to the alg\n"+
		"the authorization server is registered to encrypt with: %s.\n", *typ, keys[len(keys)-1].KeyID, *typ, algs)
	if old > 0 {
		fmt.Fprintf(e.stderr, "The set holds %d keys, the new one last; /jwks publishes them in order. Next: deploy it to every\n"+
			"replica (rotation step 1 of 'go doc github.com/oidcrs/oidcrs/cmd/oidcrs').\n", len(keys))
	}
	return exitOK
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
