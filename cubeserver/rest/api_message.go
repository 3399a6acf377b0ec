package rest

import "fmt"

// apiMessage is an error whose text goes to the client as it is, in the words and the
// capitalisation of the API it imitates (ConnectyCube's and S3's own answers). It is a
// type of its own because Go's conventions for error strings (lower case, no final
// period) are for errors that get wrapped; these are only ever shown.
type apiMessage string

func (m apiMessage) Error() string { return string(m) }

// apiMessagef formats an apiMessage.
func apiMessagef(format string, args ...any) error {
	return apiMessage(fmt.Sprintf(format, args...))
}
