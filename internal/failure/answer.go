package failure

import "errors"

// ASAnswer is an error answer of the authorization server: its status,
// and the error and error_description of its body (RFC 6749 section
// 5.2). Code and Description are the AS's text, sanitised by whoever
// builds the value (printable, bounded, never quoting the token); they are
// for operators, never for clients. Its message is its cause's.
type ASAnswer struct {
	Status      int
	Code        string
	Description string
	Err         error // the cause, such as the unexpected status
}

// Error returns the cause's message.
func (a *ASAnswer) Error() string { return a.Err.Error() }

// Unwrap returns the cause.
func (a *ASAnswer) Unwrap() error { return a.Err }

// AnswerOf returns the authorization server's error answer in err's tree.
func AnswerOf(err error) (*ASAnswer, bool) {
	var a *ASAnswer
	ok := errors.As(err, &a)
	return a, ok
}
