package jwkset_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/jwkset"
)

func TestSigning(t *testing.T) {
	t.Parallel()
	newKey := func(kid, use string) jose.JSONWebKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		return jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Use: use, Algorithm: "ES256"}
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		newKey("sig", "sig"), newKey("enc", "enc"), newKey("none", ""),
		{Key: priv, KeyID: "private", Algorithm: "ES256"},
	}}
	body, err := json.Marshal(set)
	require.NoError(t, err)
	keys, err := jwkset.Signing(body)
	require.NoError(t, err)
	var kids []string
	for _, k := range keys {
		kids = append(kids, k.KeyID)
	}
	assert.Equal(t, []string{"sig", "none"}, kids, "keys for encryption and private keys are left out")

	only, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{newKey("enc", "enc")}})
	require.NoError(t, err)
	_, err = jwkset.Signing(only)
	assert.ErrorIs(t, err, jwkset.ErrNoSigning)
	_, err = jwkset.Signing([]byte(`{"keys":[{"kty":"nope"}]}`))
	assert.ErrorIs(t, err, jwkset.ErrNotASet, "one bad key refuses the set whole")
	_, err = jwkset.Signing([]byte(`<html>`))
	assert.ErrorIs(t, err, jwkset.ErrNotASet)
}
