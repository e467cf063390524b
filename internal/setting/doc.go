// Package setting holds what every reader of the resource server's
// settings shares: the one parser of list values, and the error that
// names the setting it is about, so that a caller finds the name with
// errors.As rather than in the message.
package setting
