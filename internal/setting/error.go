package setting

import (
	"errors"
	"fmt"
)

// Error is a problem with one setting. Name is its environment variable
// (OIDC_OP_URL, ...); the message never holds a secret or key material.
type Error struct {
	Name string
	Err  error
}

// Errorf returns the problem of the setting name, formatted.
func Errorf(name, format string, args ...any) *Error {
	return &Error{Name: name, Err: fmt.Errorf(format, args...)}
}

// Error returns "NAME: problem".
func (e *Error) Error() string { return e.Name + ": " + e.Err.Error() }

// Unwrap returns the problem.
func (e *Error) Unwrap() error { return e.Err }

// Split returns the problems of err one by one: the errors an
// errors.Join holds, or err itself. It returns nil for nil.
func Split(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// NameOf returns the name of the setting err is about, or "" when err
// names none.
func NameOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Name
	}
	return ""
}
