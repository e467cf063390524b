package redistest

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// conn is a bare RESP2 connection: enough for the harness's few commands
// (PING, INFO, CLUSTER, SENTINEL, ACL checks) without a client library.
type conn struct {
	c net.Conn
	r *bufio.Reader
}

// replyError is an error reply from the server, such as "NOPERM ..." or
// "MOVED 866 127.0.0.1:7001".
type replyError string

func (e replyError) Error() string { return string(e) }

// maxBulk bounds one bulk reply: the harness reads INFO and CLUSTER NODES,
// never values near this size.
const maxBulk = 16 << 20

// dial connects to addr, over TLS when tc is set, and authenticates when
// user is set. Every command must answer within cmdTimeout.
func dial(addr string, tc *tls.Config, user, pass string) (*conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	var d interface {
		DialContext(ctx context.Context, network, addr string) (net.Conn, error)
	} = &net.Dialer{}
	if tc != nil {
		d = &tls.Dialer{Config: tc}
	}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &conn{c: nc, r: bufio.NewReader(nc)}
	if user != "" {
		if _, err := c.do("AUTH", user, pass); err != nil {
			c.close()
			return nil, fmt.Errorf("AUTH as %s: %w", user, err)
		}
	}
	return c, nil
}

func (c *conn) close() { _ = c.c.Close() }

// do sends one command and reads its reply: a string (simple or bulk),
// an int64, nil, or a []any of those. An error reply is a replyError.
func (c *conn) do(args ...string) (any, error) {
	_ = c.c.SetDeadline(time.Now().Add(cmdTimeout))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c.c, b.String()); err != nil {
		return nil, err
	}
	return c.read()
}

func (c *conn) read() (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("malformed reply line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+':
		return body, nil
	case '-':
		return nil, replyError(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n > maxBulk {
			return nil, fmt.Errorf("malformed bulk length %q", body)
		}
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n > maxBulk {
			return nil, fmt.Errorf("malformed array length %q", body)
		}
		if n < 0 {
			return nil, nil
		}
		out := make([]any, 0, n)
		for range n {
			v, err := c.read()
			var re replyError
			if err != nil && !errors.As(err, &re) {
				return nil, err
			}
			if err != nil {
				v = re // an error inside an array (EXEC) is a value
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reply type %q", line)
}

// text is a reply expected to be a string.
func text(v any, err error) (string, error) {
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("reply %v is not a string", v)
	}
	return s, nil
}

// infoField is one "key:value" line of an INFO or CLUSTER INFO reply.
func infoField(info, key string) string {
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), key+":"); ok {
			return v
		}
	}
	return ""
}

// fields turns a flat [k1 v1 k2 v2 ...] reply (SENTINEL MASTER) into a map.
func fields(v any) map[string]string {
	m := map[string]string{}
	a, _ := v.([]any)
	for i := 0; i+1 < len(a); i += 2 {
		k, _ := a[i].(string)
		val, _ := a[i+1].(string)
		m[k] = val
	}
	return m
}
