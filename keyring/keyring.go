// Package keyring keeps session tokens in the operating system's credential store:
// Secret Service on Linux, the Keychain on macOS, the Credential Manager on Windows.
// Where none is reachable (a headless Linux without a Secret Service), Save reports
// ErrUnavailable and callers keep the token in memory only: it is never written to a
// plain file, and passwords are never stored at all.
package keyring

import (
	"errors"
	"fmt"
	"sync"
	"time"

	oskeyring "github.com/zalando/go-keyring"
)

// service names cubechat's entries in the credential store.
const service = "cubechat"

// callTimeout bounds each call: a D-Bus Secret Service that is present but stuck must not
// freeze sign-in.
const callTimeout = 3 * time.Second

var (
	// ErrNotFound means no token is stored for the account.
	ErrNotFound = errors.New("keyring: no token stored")
	// ErrUnavailable means the system has no usable credential store.
	ErrUnavailable = errors.New("keyring: no system credential store available")
)

// Store keeps one secret per account key.
type Store interface {
	Save(account, secret string) error
	Load(account string) (string, error)
	Delete(account string) error
}

// System is the operating system's credential store.
type System struct{}

// Save stores secret for account, replacing an earlier one.
func (System) Save(account, secret string) error {
	return call(func() error { return oskeyring.Set(service, account, secret) })
}

// Load returns the secret of account, or ErrNotFound.
func (System) Load(account string) (string, error) {
	var secret string
	err := call(func() error {
		var err error
		secret, err = oskeyring.Get(service, account)
		return err
	})
	return secret, err
}

// Delete removes the secret of account; a missing one is not an error.
func (System) Delete(account string) error {
	err := call(func() error { return oskeyring.Delete(service, account) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// call runs fn with a time limit and maps the library's errors to ours.
func call(fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		switch {
		case err == nil:
			return nil
		case errors.Is(err, oskeyring.ErrNotFound):
			return ErrNotFound
		default:
			return fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
	case <-time.After(callTimeout):
		return fmt.Errorf("%w: no answer within %s", ErrUnavailable, callTimeout)
	}
}

// Memory is a Store that lives only as long as the process: the fallback where the system
// has no credential store, and the store of tests.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// Save stores secret for account.
func (s *Memory) Save(account, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[account] = secret
	return nil
}

// Load returns the secret of account, or ErrNotFound.
func (s *Memory) Load(account string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	secret, ok := s.m[account]
	if !ok {
		return "", ErrNotFound
	}
	return secret, nil
}

// Delete removes the secret of account.
func (s *Memory) Delete(account string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, account)
	return nil
}
