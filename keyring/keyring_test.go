package keyring

import (
	"errors"
	"testing"

	oskeyring "github.com/zalando/go-keyring"
)

// exercise checks the Store contract on any implementation.
func exercise(t *testing.T, s Store) {
	t.Helper()
	if _, err := s.Load("api|ann"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty store: %v", err)
	}
	if err := s.Save("api|ann", "t1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Save("api|ann", "t2"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load("api|ann"); err != nil || got != "t2" {
		t.Fatalf("load = %q, %v; want the newest token", got, err)
	}
	if err := s.Delete("api|ann"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("api|ann"); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if _, err := s.Load("api|ann"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestMemory(t *testing.T) { exercise(t, &Memory{}) }

// TestSystemWithMockProvider runs System against go-keyring's in-memory provider, which
// stands in for the OS store in CI (where no Secret Service runs).
func TestSystemWithMockProvider(t *testing.T) {
	oskeyring.MockInit()
	exercise(t, System{})
}

func TestSystemErrorsAreUnavailable(t *testing.T) {
	oskeyring.MockInitWithError(errors.New("dbus: no session bus"))
	err := System{}.Save("a", "b")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("a broken store must read as ErrUnavailable, got %v", err)
	}
}
