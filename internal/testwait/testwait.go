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

// pollEvery is how often For and Until re-check a condition that has no feed to wait on.
const pollEvery = 20 * time.Millisecond

// For re-checks cond until it holds, failing the test with what if timeout passes first.
// A cond that reads Fyne widgets wraps that in the UI thread itself.
func For(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	Until(t, what, timeout, func() (bool, string) { return cond(), "" })
}

// Until is For with a cond that also says what it saw, so a timeout reports the last
// state instead of only that it never came.
func Until(t testing.TB, what string, timeout time.Duration, cond func() (ok bool, saw string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, saw := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			if saw != "" {
				t.Fatalf("timed out after %v waiting for %s; last seen: %s", timeout, what, saw)
			}
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(pollEvery)
	}
}
