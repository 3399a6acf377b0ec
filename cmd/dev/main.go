// Command dev does the set-up of a developer machine and then runs the demo or the tests:
//
//	go run ./cmd/dev demo   # installs what is missing, then runs cubechat on the embedded demo server
//	go run ./cmd/dev test   # installs what is missing, then gofmt, go vet and the whole test suite
//	go run ./cmd/dev release # builds and checks the Linux .tar.xz and the Windows .exe (release.go)
//
// It is plain Go without cgo, so it runs before the C toolchain that Fyne needs is there.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "demo":
		err = runDemo(os.Args[2:])
	case "test":
		err = runTests(os.Args[2:])
	case "release":
		err = runRelease(os.Args[2:])
	case "deps":
		err = ensureSystemPackages()
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: go run ./cmd/dev <command>

commands:
  demo   install missing system packages, then run cubechat on the embedded demo server
  test   install missing system packages, then check formatting, vet and run every test
  release  build the release packages into dist/ and check them: the Linux .tar.xz and,
           where x86_64-w64-mingw32-gcc is installed, the Windows .exe
  deps   only install (or list) the missing system packages`)
}

func runDemo(args []string) error {
	if err := ensureSystemPackages(); err != nil {
		return err
	}
	return run("go", append([]string{"run", ".", "--demo"}, args...)...)
}

// run executes a command with the terminal attached and cgo on (Fyne needs it).
func run(name string, args ...string) error {
	fmt.Printf("+ %s %s\n", name, strings.Join(args, " "))
	cmd := exec.Command(name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	return cmd.Run()
}

// output runs a command and returns its standard output.
func output(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.Output()
	return string(out), err
}
