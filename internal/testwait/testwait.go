// Package testwait holds the waiting helpers tests share, so that no test blocks
// forever on a channel or a condition that never comes.
package testwait

import (
	"testing"
	"time"
)

// Recv receives one value from ch, failing the test if none arrives within timeout.
// ok is false when ch was closed.
func Recv[T any](t testing.TB, what string, timeout time.Duration, ch <-chan T) (v T, ok bool) {
	t.Helper()
	select {
	case v, ok = <-ch:
		return v, ok
	case <-time.After(timeout):
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
		return v, false
	}
}
