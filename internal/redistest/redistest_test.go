package redistest

import (
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// client dials addr as the user named in rawURL (none when it has none).
func client(t *testing.T, addr, rawURL string) *conn {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	pass, _ := u.User.Password()
	c, err := dial(addr, nil, u.User.Username(), pass)
	require.NoError(t, err)
	t.Cleanup(c.close)
	return c
}

func TestStartKillRestart(t *testing.T) {
	s := Start(t)
	assert.Equal(t, "redis://"+s.Addr()+"/0", s.URL())
	assert.Equal(t, s.URL(), s.AdminURL())
	_, err := text(client(t, s.Addr(), s.URL()).do("SET", "k", "v"))
	require.NoError(t, err)

	s.Kill()
	require.Error(t, s.ping(), "a killed server answers nothing")
	s.Restart(t)
	v, err := client(t, s.Addr(), s.URL()).do("GET", "k")
	require.NoError(t, err)
	assert.Nil(t, v, "no persistence: a restarted server starts empty")
}

func TestWithUser(t *testing.T) {
	s := Start(t, WithUser(ACLUser{
		Name:     "oidcrs",
		Password: "pw with spaces and \"quotes\"",
		Rules:    []string{"~oidcrs:*", "&oidcrs:*", "+get", "+set", "+ping"},
	}))
	u, err := url.Parse(s.URL())
	require.NoError(t, err)
	assert.Equal(t, "oidcrs", u.User.Username())
	assert.Equal(t, s.Addr(), u.Host)

	check := func(t *testing.T) {
		anon, err := dial(s.Addr(), nil, "", "")
		require.NoError(t, err)
		defer anon.close()
		_, err = anon.do("PING")
		require.ErrorContains(t, err, "NOAUTH", "the default user is off")
		_, err = anon.do("AUTH", "default", "")
		require.Error(t, err)

		user := client(t, s.Addr(), s.URL())
		_, err = user.do("SET", "oidcrs:k", "v")
		require.NoError(t, err)
		v, err := text(user.do("GET", "oidcrs:k"))
		require.NoError(t, err)
		assert.Equal(t, "v", v)
		_, err = user.do("SET", "other:k", "v")
		require.ErrorContains(t, err, "NOPERM", "a key outside the user's pattern")
		_, err = user.do("DEL", "oidcrs:k")
		require.ErrorContains(t, err, "NOPERM", "a command outside the user's rules")

		admin := client(t, s.Addr(), s.AdminURL())
		_, err = admin.do("DEL", "oidcrs:k", "other:k")
		require.NoError(t, err)
	}
	check(t)
	s.Restart(t)
	t.Run("after restart", check)
}

func TestUserNameRequired(t *testing.T) {
	for _, name := range []string{"", "default", adminName} {
		ft := &fatalT{TB: t}
		func() {
			defer func() { _ = recover() }()
			ACLUser{Name: name}.complete(ft)
		}()
		assert.True(t, ft.failed, "name %q", name)
	}
}

// fatalT records a Fatalf instead of ending the test.
type fatalT struct {
	testing.TB
	failed bool
}

func (f *fatalT) Fatalf(string, ...any) { f.failed = true; panic(f) }

func TestQuote(t *testing.T) {
	assert.Equal(t, `"a\\b\"c\nd"`, quote("a\\b\"c\nd"))
	assert.False(t, strings.ContainsAny(quote("x\ry\n"), "\r\n"))
}

func TestWithConfig(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "redis.sock")
	s := Start(t, WithConfig("unixsocket "+quote(sock), "unixsocketperm 700"))
	c, err := net.Dial("unix", sock)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(cmdTimeout)))
	_, err = c.Write([]byte("PING\r\n"))
	require.NoError(t, err)
	reply := make([]byte, 7)
	_, err = io.ReadFull(c, reply)
	require.NoError(t, err)
	assert.Equal(t, "+PONG\r\n", string(reply))
	require.NoError(t, s.ping(), "the TCP port still answers")
}
