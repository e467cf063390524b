package rediscache

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"

	"github.com/redis/go-redis/v9"
)

// ErrNoReceivers is the cause of a Publish error when the message
// demonstrably reached nobody: Redis answered on every route it was sent
// on, and counted no subscriber on any. Every replica subscribes to the
// channels it publishes on, so this means that even the publishing
// replica's own subscription is down. Test for it with errors.Is.
var ErrNoReceivers = errors.New("no subscriber received the message")

// The cause classes of a store error, as StoreFailure reports them.
const (
	classTimeout  = "timeout"
	classRefused  = "refused"
	classRedirect = "redirect"
	classAuth     = "authentication"
	classPerm     = "permission"
	classTLS      = "tls"
)

// storeError is every error a Store method returns: the operation, the
// cause class, and whether it concerns only some keys. It wraps the
// original error, which never holds a password (go-redis does not put
// one in its errors).
type storeError struct {
	op      string // "get", "set", ...
	class   string
	partial bool
	err     error
}

func (e *storeError) Error() string { return "rediscache: " + e.op + ": " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// StoreFailure is the cause class: "timeout", "refused", "redirect",
// "authentication", "permission" or "tls".
func (e *storeError) StoreFailure() string { return e.class }

// Partial reports whether the failure concerns only the keys of one node
// of a Redis Cluster while the other nodes answer.
func (e *storeError) Partial() bool { return e.partial }

// failure wraps err, from op, with its cause class; nil stays nil.
func failure(op string, err error) error {
	if err == nil {
		return nil
	}
	return &storeError{op: op, class: classify(err), err: err}
}

// classify returns the cause class of an error from go-redis: from the
// Redis reply's prefix when Redis answered, else from the Go error's type.
// A failure that fits no class better is "refused": Redis could not be
// used.
func classify(err error) string {
	var se *storeError
	if errors.As(err, &se) {
		return se.class
	}
	switch {
	case isTLSError(err):
		return classTLS
	case redis.IsAuthError(err):
		return classAuth
	case redis.IsPermissionError(err) || isScriptPermission(err):
		return classPerm
	case isRedirect(err):
		return classRedirect
	case isTimeout(err):
		return classTimeout
	}
	return classRefused
}

// isScriptPermission reports a script that the ACL stopped: Redis 7.0
// answers a command the user may not run, called from a script (the lock
// release calls GET), with an ERR reply rather than NOPERM.
func isScriptPermission(err error) bool {
	return redis.HasErrorPrefix(err, "The user executing the script can't run this command")
}

// isRedirect reports a reply that says another node serves the key: a
// Cluster redirection (MOVED, ASK) go-redis did not follow, a Cluster
// that cannot serve the slot now (CLUSTERDOWN, TRYAGAIN, CROSSSLOT), or a
// node that is not, or no longer, the master (READONLY, MASTERDOWN).
func isRedirect(err error) bool {
	if _, ok := redis.IsMovedError(err); ok {
		return true
	}
	if _, ok := redis.IsAskError(err); ok {
		return true
	}
	return redis.IsClusterDownError(err) || redis.IsTryAgainError(err) ||
		redis.IsReadOnlyError(err) || redis.IsMasterDownError(err) ||
		redis.HasErrorPrefix(err, "CROSSSLOT ")
}

// isTimeout reports a deadline (the call's context, a socket timeout) or
// a connection pool that had no connection in time.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, redis.ErrPoolTimeout) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isTLSError reports a failed TLS handshake: a certificate that does not
// verify, an alert from the server (such as a missing client
// certificate), or a peer that does not speak TLS.
func isTLSError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "remote error" || op.Op == "local error") {
		return true // crypto/tls's alerts, such as "certificate required"
	}
	var (
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}
