// Package fynecache shortens how long Fyne keeps what it cached of objects it no
// longer draws (renderers, text textures, text measurements, SVGs) from one minute
// to Lifetime. Import it (blank) from the program's main package.
//
// Fyne keeps each of those a minute after its last use, so the chats opened in the
// last minute all stay in memory after they were closed: with 1M cached messages,
// 20 chats opened one after the other left the real window 2–5 MiB larger with the
// minute than with Lifetime (docs/benchmarks.md, "Issue 10, memory in the real
// window, round 4"). Fyne offers no API for it: it reads the duration from the
// FYNE_CACHE environment variable once, in the init of its internal cache package.
//
// Why setting the variable here, in init, is early enough: the Go specification
// initialises packages one at a time, each time the first package by import path
// whose imports are all initialised. This package imports only syscall; "os"
// imports syscall and sorts after "github.com/...", so this package is always
// initialised before "os", and so before Fyne's cache package, which imports "os".
// (TestFyneSeesTheLifetime checks the value Fyne ended up with.) Nothing here may
// import more than syscall. Programs the app starts (a file opener) inherit the
// variable; only Fyne programs read it.
package fynecache

import "syscall"

// Lifetime is how long Fyne keeps what it cached of an object after its last use.
// It must be well over 10 s: Fyne marks the caches of an idle window's visible
// objects alive when they are older than Lifetime − 10 s (with less, it would walk
// the window's tree on every tick of its loop), and cleans at most every 10 s.
const Lifetime = "15s"

// envName is the variable Fyne reads (fyne.io/fyne/v2/internal/cache, base.go).
const envName = "FYNE_CACHE"

func init() { setDefault(syscall.Getenv, syscall.Setenv) }

// setDefault sets envName to Lifetime unless the user set it: FYNE_CACHE=1m
// restores Fyne's own duration.
func setDefault(getenv func(string) (string, bool), setenv func(string, string) error) {
	if _, set := getenv(envName); set {
		return
	}
	_ = setenv(envName, Lifetime) // cannot fail for this name and value
}
