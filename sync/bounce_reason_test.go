package sync

import (
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// TestBounceReason: a message to an account that does not exist bounces with the
// same condition as a privacy block (RFC 6121 §8.5.1); the user is told which.
func TestBounceReason(t *testing.T) {
	for _, tc := range []struct {
		ev   cube.MessageErrorEvent
		want string
	}{
		{cube.MessageErrorEvent{Code: 503, Condition: "service-unavailable", Text: cube.ErrTextNoSuchUser}, "not delivered: the recipient does not exist"},
		{cube.MessageErrorEvent{Code: 503, Condition: "service-unavailable", Text: "Service not available."}, "blocked"},
		{cube.MessageErrorEvent{Code: 404, Condition: "item-not-found"}, "not delivered: the recipient does not exist"},
	} {
		if got := bounceReason(tc.ev); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.ev, got, tc.want)
		}
	}
}
