package app

import (
	"errors"
	"fmt"
)

// userMessage is an error written for the person at the screen: a whole sentence,
// capitalised and punctuated, shown as it is. It is a type of its own because Go's
// conventions for error strings (lower case, no final period) are for errors that get
// wrapped into others; these never are. The cause, when there is one, stays reachable
// through errors.Is and errors.As.
type userMessage struct{ err error }

func (m userMessage) Error() string { return m.err.Error() }
func (m userMessage) Unwrap() error { return errors.Unwrap(m.err) }

// userMessagef formats a userMessage; %w keeps the cause.
func userMessagef(format string, args ...any) error {
	return userMessage{fmt.Errorf(format, args...)}
}
