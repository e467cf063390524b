package main

import (
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

	"github.com/oidcrs/oidcrs/core"
)

// maxKeyFile bounds what -append reads: a set of a few PEM keys.
const maxKeyFile = 1 << 20

// keygenCommand prints a new PKCS#8 private key, after the keys of an
// existing set with -append. It checks the result with core's own key
// parser, and tells on stderr the kids in publication order.
func keygenCommand(args []string, e *env) int {
	fs := flag.NewFlagSet("oidcrs keygen", flag.ContinueOnError)
	typ := fs.String("type", "RSA", "")
	bits := fs.Int("bits", 3072, "")
	curve := fs.String("curve", "P-256", "")
	appendFrom := fs.String("append", "", "")
	out := fs.String("out", "", "")
	if code, ok := parseFlags(fs, args, usageKeygen, false, e); !ok {
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	fail := func(format string, args ...any) int {
		fmt.Fprintf(e.stderr, "oidcrs keygen: "+format+"\n", args...)
		return exitUsage
	}

	var existing string
	var old []publicKey
	if *appendFrom != "" {
		var err error
		if existing, err = readKeyFile(*appendFrom, e.stdin); err != nil {
			return fail("%v", err)
		}
		t, keys, err := existingType(existing, *typ, given["type"])
		if err != nil {
			return fail("the keys of %s cannot be used: %v", *appendFrom, err)
		}
		*typ, old = t, keys
		// The new key is like the newest one, unless told otherwise.
		last := keys[len(keys)-1]
		if n := last.size(); n > 0 && !given["bits"] {
			*bits = n
		}
		if last.Curve != "" && !given["curve"] {
			*curve = last.Curve
		}
	}
	*typ = strings.ToUpper(*typ)
	switch {
	case *typ != "RSA" && *typ != "EC":
		return fail("-type must be RSA or EC, not %q", *typ)
	case *typ == "EC" && given["bits"]:
		return fail("-bits is for RSA keys; EC keys take -curve")
	case *typ == "RSA" && given["curve"]:
		return fail("-curve is for EC keys; RSA keys take -bits")
	}
	block, desc, err := generateKey(*typ, *bits, *curve)
	if err != nil {
		return fail("%v", err)
	}
	set := block
	if existing != "" {
		set = strings.TrimSpace(existing) + "\n" + block
	}
	keys, err := publishedKeys(keySettings(set, *typ))
	if err != nil {
		return fail("the new set does not load: %v", err)
	}
	if err := writeKeys(*out, set, e.stdout); err != nil {
		return fail("%v", err)
	}
	explainKeys(e.stderr, desc, *typ, old, keys)
	return exitOK
}

// generateKey returns a new private key as PKCS#8 PEM, and its description.
func generateKey(typ string, bits int, curveName string) (string, string, error) {
	var key any
	var desc string
	switch typ {
	case "RSA":
		if bits != 2048 && bits != 3072 && bits != 4096 {
			return "", "", fmt.Errorf("-bits must be 2048, 3072 or 4096, not %d", bits)
		}
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return "", "", fmt.Errorf("generating the key: %w", err)
		}
		key, desc = k, fmt.Sprintf("RSA %d-bit", bits)
	case "EC":
		curves := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}
		c, ok := curves[strings.ToUpper(curveName)]
		if !ok {
			return "", "", fmt.Errorf("-curve must be P-256, P-384 or P-521, not %q", curveName)
		}
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			return "", "", fmt.Errorf("generating the key: %w", err)
		}
		key, desc = k, "EC "+c.Params().Name
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("encoding the key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), desc, nil
}

// keySettings are the smallest settings under which core loads a key set
// of type typ: the first key-encryption alg that fits the type.
func keySettings(pemText, typ string) core.Settings {
	alg := "RSA-OAEP"
	if typ == "EC" {
		alg = "ECDH-ES"
	}
	return core.Settings{PrivateKey: pemText, KeyType: typ, EncryptionAlgorithm: alg}
}

// existingType finds the type of the keys of an existing set, as core
// loads them: the -type given, or whichever of RSA and EC loads them.
func existingType(pemText, typ string, typeGiven bool) (string, []publicKey, error) {
	types := []string{"RSA", "EC"}
	if typeGiven {
		types = []string{strings.ToUpper(typ)}
	}
	var first error
	for _, t := range types {
		keys, err := publishedKeys(keySettings(pemText, t))
		if err == nil {
			return t, keys, nil
		}
		if first == nil {
			first = err
		}
	}
	return "", nil, first
}

// readKeyFile reads the PEM set of -append: a file, or stdin for "-". A
// set copied from a .env file, on one line with literal \n, is accepted.
func readKeyFile(name string, stdin io.Reader) (string, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", fmt.Errorf("-append: %w", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return "", fmt.Errorf("-append: reading %s: %w", name, err)
	}
	if len(b) > maxKeyFile {
		return "", fmt.Errorf("-append: %s is over %d bytes", name, maxKeyFile)
	}
	text := strings.TrimSpace(strings.ReplaceAll(string(b), `\n`, "\n"))
	if text == "" {
		return "", fmt.Errorf("-append: %s is empty", name)
	}
	return text, nil
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
	tmp := f.Name()
	_, err = f.WriteString(set)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("-out: %w", err)
	}
	return nil
}

// explainKeys tells, on stderr, which settings go with the new key and, for
// a rotation, the order in which /jwks publishes the set.
func explainKeys(w io.Writer, desc, typ string, old, keys []publicKey) {
	algs := "RSA-OAEP or RSA-OAEP-256"
	if typ == "EC" {
		algs = "ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A192KW or ECDH-ES+A256KW"
	}
	newKey := keys[len(keys)-1]
	fmt.Fprintf(w, "oidcrs keygen: new %s key, kid %s.\n", desc, newKey.KeyID)
	fmt.Fprintf(w, "Set OIDC_RS_ENCRYPTION_KEY_TYPE=%s and OIDC_RS_ENCRYPTION_ALGO to %s,\nthe alg the authorization server is registered to encrypt with.\n", typ, algs)
	if len(old) == 0 {
		return
	}
	fmt.Fprintf(w, "The set holds %d keys; /jwks publishes them in this order:\n", len(keys))
	for i, k := range keys {
		note := ""
		switch {
		case i == 0:
			note = "  (first: the authorization server encrypts to it)"
		case i == len(keys)-1:
			note = "  (new)"
		}
		fmt.Fprintf(w, "  %d. kid %s%s\n", i+1, k.KeyID, note)
	}
	fmt.Fprint(w, `Next: deploy this set to every replica (step 1); then put the new key first
and deploy again (step 2); once the authorization server's copy of /jwks has
expired (max-age=300), deploy the new key alone (step 3). See oidcrs keygen -h.
`)
}
