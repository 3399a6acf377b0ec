package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// The release packages, built by `go run ./cmd/dev release` with the fyne tool at a
// pinned version (built into a temporary folder; nothing is installed):
//
//	dist/cubechat-VERSION-linux-amd64.tar.xz   fyne's archive (stripped binary, desktop
//	                                           file, icon, Makefile) plus AppStream metainfo
//	dist/cubechat-VERSION-windows-amd64.exe    GUI subsystem, icon and version resources,
//	                                           cross-built with mingw-w64 when installed
//
// and each is checked (release_check.go) before the command reports success.

const (
	fyneTool     = "fyne.io/tools/cmd/fyne@v1.7.4"
	versionVar   = "github.com/cubechat/cubechat/version.Version"
	mingwCC      = "x86_64-w64-mingw32-gcc"
	mingwPackage = "gcc-mingw-w64-x86-64"
)

func runRelease(args []string) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	out := fs.String("out", "dist", "directory for the packages")
	skipWindows := fs.Bool("no-windows", false, "build only the Linux package")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if runtime.GOOS != "linux" {
		return errors.New("release builds run on Linux (the Windows package is cross-built from there)")
	}
	if err := ensureSystemPackages(); err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	meta, err := readAppMeta(filepath.Join(root, "FyneApp.toml"))
	if err != nil {
		return err
	}
	outDir, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	base := fmt.Sprintf("%s-%s", meta.Details.Name, meta.Details.Version)
	fyne, cleanup, err := installFyne()
	if err != nil {
		return err
	}
	defer cleanup()
	p := packager{root: root, fyne: fyne, meta: meta}

	linux := filepath.Join(outDir, base+"-linux-amd64.tar.xz")
	if err := p.linux(linux); err != nil {
		return fmt.Errorf("linux package: %w", err)
	}
	report, err := checkLinuxArchive(linux, meta)
	if err != nil {
		return fmt.Errorf("linux package %s fails its check: %w", linux, err)
	}
	printPackage(linux, report)

	windows := filepath.Join(outDir, base+"-windows-amd64.exe")
	switch _, lookErr := exec.LookPath(mingwCC); {
	case *skipWindows:
		fmt.Println("\n*** Windows package SKIPPED (-no-windows) ***")
	case lookErr != nil:
		fmt.Printf("\n*** Windows package SKIPPED: the cross-compiler %s is not installed. ***\n"+
			"*** On Debian/Ubuntu: apt-get install %s, then run this again. ***\n", mingwCC, mingwPackage)
	default:
		if err := p.windows(windows); err != nil {
			return fmt.Errorf("windows package: %w", err)
		}
		report, err := checkWindowsExe(windows)
		if err != nil {
			return fmt.Errorf("windows package %s fails its check: %w", windows, err)
		}
		printPackage(windows, report)
	}
	return nil
}

// installFyne builds the pinned fyne tool into a temporary folder, for the host and
// without the cross-compiler in its environment; cleanup removes it.
func installFyne() (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "cubechat-fyne-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	fmt.Printf("+ go install %s\n", fyneTool)
	cmd := exec.Command("go", "install", fyneTool)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "CGO_ENABLED=0", "GOOS=", "GOARCH=")
	if err := cmd.Run(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("go install %s: %w", fyneTool, err)
	}
	return filepath.Join(dir, "fyne"), cleanup, nil
}

// packager runs the fyne tool in the module root.
type packager struct {
	root, fyne string
	meta       appMeta
}

// linux runs fyne package for Linux and adds the AppStream metainfo to its archive.
func (p packager) linux(dest string) error {
	if err := p.fynePackage("linux", nil); err != nil {
		return err
	}
	built := filepath.Join(p.root, p.meta.Details.Name+".tar.xz")
	defer os.Remove(built)
	return addMetainfo(built, dest, p.meta)
}

// windows cross-builds the .exe with mingw-w64 (Fyne's GL driver needs cgo).
func (p packager) windows(dest string) error {
	if err := p.fynePackage("windows", []string{"CC=" + mingwCC}); err != nil {
		return err
	}
	return os.Rename(filepath.Join(p.root, p.meta.Details.Name+".exe"), dest)
}

// fynePackage runs `fyne package -release` for target, with the version stamped into
// the binary, and leaves FyneApp.toml as it was (fyne bumps Build in it each run).
func (p packager) fynePackage(target string, env []string) (err error) {
	restore, err := keepFile(filepath.Join(p.root, "FyneApp.toml"))
	if err != nil {
		return err
	}
	defer func() {
		if rerr := restore(); rerr != nil && err == nil {
			err = fmt.Errorf("restore FyneApp.toml: %w", rerr)
		}
	}()
	args := []string{"package", "-os", target, "-release",
		"-app-version", p.meta.Details.Version, "-app-build", fmt.Sprint(p.meta.Details.Build)}
	fmt.Printf("+ fyne %s\n", strings.Join(args, " "))
	cmd := exec.Command(p.fyne, args...)
	cmd.Dir = p.root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// fyne package passes -ldflags found in GOFLAGS on, next to its own -s -w (and
	// -H=windowsgui for Windows).
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=1",
		"GOFLAGS=-ldflags=-X="+versionVar+"="+p.meta.Details.Version), env...)
	return cmd.Run()
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run this inside the cubechat module")
	}
	return filepath.Dir(gomod), nil
}

func printPackage(path string, report []string) {
	info, err := os.Stat(path)
	size := "?"
	if err == nil {
		size = fmt.Sprintf("%.1f MB", float64(info.Size())/1e6)
	}
	fmt.Printf("\n%s (%s): check passed\n", path, size)
	for _, line := range report {
		fmt.Println("  " + line)
	}
}
