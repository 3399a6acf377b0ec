package fynecache

import (
	"errors"
	"go/parser"
	"go/token"
	"testing"
)

func TestSetDefaultKeepsTheUsersChoice(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	setenv := func(k, v string) error {
		if k == "" {
			return errors.New("empty name")
		}
		env[k] = v
		return nil
	}
	setDefault(getenv, setenv)
	if env[envName] != Lifetime {
		t.Fatalf("unset: FYNE_CACHE=%q, want %q", env[envName], Lifetime)
	}
	env[envName] = "1m"
	setDefault(getenv, setenv)
	if env[envName] != "1m" {
		t.Fatalf("set by the user: FYNE_CACHE=%q, want it kept (1m)", env[envName])
	}
}

// TestImportsOnlySyscall keeps the package's init ahead of Fyne's (see the package
// comment): any other import could let Fyne's cache package initialise first.
func TestImportsOnlySyscall(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "fynecache.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range f.Imports {
		if imp.Path.Value != `"syscall"` {
			t.Errorf("fynecache.go imports %s; only syscall keeps its init before Fyne's", imp.Path.Value)
		}
	}
	if len(f.Imports) == 0 {
		t.Error("fynecache.go imports nothing: is the file there?")
	}
}
