package rediscache_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oidcrs/oidcrs/internal/redistest"
)

// The fleet shares through a unix:// URL, the one-server form for a
// Redis on the same host.
func TestDeployUnixSocket(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "redis.sock")
	redistest.Start(t, redistest.WithConfig(`unixsocket "`+sock+`"`, "unixsocketperm 700"))
	d := startDeployment(t, "unix://"+sock+"?db=0", 4, nil)
	d.shareN(t, 10)
	tok, _, _ := d.share(t)
	_, err := d.forget(t, tok)
	assert.NoError(t, err)
	assert.Empty(t, d.logs.lines("failure="), "no store failure")
	assert.Zero(t, d.wrong.Load())
}
