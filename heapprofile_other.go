//go:build !unix

package main

import "log/slog"

// heapProfiles: the SIGUSR1 heap profiles (heapprofile_unix.go) are Unix only.
func heapProfiles(*slog.Logger) (stop func()) { return func() {} }
