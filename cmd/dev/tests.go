package main

import (
	"fmt"
	"strings"
)

// runTests is the README's test command and what CI runs: formatting, vet, then every
// Go test (the UI tests use Fyne's test driver, so no display is needed).
func runTests(args []string) error {
	if err := ensureSystemPackages(); err != nil {
		return err
	}
	unformatted, err := output("gofmt", "-l", ".")
	if err != nil {
		return fmt.Errorf("gofmt: %w", err)
	}
	if s := strings.TrimSpace(unformatted); s != "" {
		return fmt.Errorf("these files need gofmt:\n%s", s)
	}
	if err := run("go", "vet", "./..."); err != nil {
		return fmt.Errorf("go vet: %w", err)
	}
	testArgs := append([]string{"test", "-count=1", "-timeout=20m"}, args...)
	if len(args) == 0 {
		testArgs = append(testArgs, "./...")
	}
	if err := run("go", testArgs...); err != nil {
		return fmt.Errorf("go test: %w", err)
	}
	return nil
}
