package rediscache

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/redistest"
)

// TestClassifyReplies classifies genuine Redis error replies: a script on
// a real server returns each, and go-redis parses it as it would the
// server's own.
func TestClassifyReplies(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	for reply, want := range map[string]string{
		"MOVED 3999 127.0.0.1:6381":                                     classRedirect,
		"ASK 3999 127.0.0.1:6381":                                       classRedirect,
		"CLUSTERDOWN The cluster is down":                               classRedirect,
		"TRYAGAIN Multiple keys request during rehashing":               classRedirect,
		"CROSSSLOT Keys in request don't hash to the same slot":         classRedirect,
		"READONLY You can't write against a read only replica.":         classRedirect,
		"MASTERDOWN Link with MASTER is down":                           classRedirect,
		"WRONGPASS invalid username-password pair or user is disabled.": classAuth,
		"NOAUTH Authentication required.":                               classAuth,
		"NOPERM this user has no permissions to run the 'set' command":  classPerm,
		"OOM command not allowed when used memory > 'maxmemory'.":       classRefused,
		"LOADING Redis is loading the dataset in memory":                classRefused,
	} {
		t.Run(reply, func(t *testing.T) {
			err := rdb.Eval(context.Background(), "return redis.error_reply(ARGV[1])", nil, reply).Err()
			require.Error(t, err)
			require.Contains(t, err.Error(), reply[:8], "the server's reply")
			assert.Equal(t, want, classify(err))
			wrapped := failure("get", err)
			assert.Equal(t, want, classify(wrapped), "the class survives wrapping")
			assert.ErrorIs(t, wrapped, err)
		})
	}
}

func TestClassifyGoErrors(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	for name, c := range map[string]struct {
		err  error
		want string
	}{
		"deadline":          {context.DeadlineExceeded, classTimeout},
		"deadline, wrapped": {fmt.Errorf("dial: %w", context.DeadlineExceeded), classTimeout},
		"i/o timeout":       {timeout, classTimeout},
		"pool timeout":      {redis.ErrPoolTimeout, classTimeout},
		"refused":           {refused, classRefused},
		"reset":             {&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, classRefused},
		"EOF":               {io.EOF, classRefused},
		"closed client":     {redis.ErrClosed, classRefused},
		"unknown CA":        {&net.OpError{Op: "dial", Err: x509.UnknownAuthorityError{}}, classTLS},
		"host name":         {x509.HostnameError{Host: "cache.example"}, classTLS},
		"expired":           {x509.CertificateInvalidError{Reason: x509.Expired}, classTLS},
		"remote alert":      {&net.OpError{Op: "remote error", Err: errors.New("tls: certificate required")}, classTLS},
		"no sentinel":       {errors.New("redis: all sentinels specified in configuration are unreachable"), classRefused},
		"node down":         {&storeError{op: "get", class: classTimeout, partial: true, err: errNodeDown}, classTimeout},
	} {
		t.Run(name, func(t *testing.T) { assert.Equal(t, c.want, classify(c.err)) })
	}
}

func TestFailureKeepsNil(t *testing.T) {
	assert.NoError(t, failure("get", nil))
}
