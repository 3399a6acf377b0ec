package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
)

// debianPackages are what Fyne's cgo build needs on Debian/Ubuntu (docs/architecture.md,
// "Building").
var debianPackages = []string{
	"gcc", "libc6-dev", "pkg-config", "libgl1-mesa-dev", "libx11-dev", "libxcursor-dev",
	"libxrandr-dev", "libxinerama-dev", "libxi-dev", "libxxf86vm-dev",
}

// pkgConfigModules are the libraries checked through pkg-config, with the Debian package
// that provides each.
var pkgConfigModules = map[string]string{
	"gl": "libgl1-mesa-dev", "x11": "libx11-dev", "xcursor": "libxcursor-dev",
	"xrandr": "libxrandr-dev", "xinerama": "libxinerama-dev", "xi": "libxi-dev",
	"xxf86vm": "libxxf86vm-dev",
}

// ensureSystemPackages makes sure a C compiler and the GL/X11 headers are there. On
// Debian/Ubuntu it installs what is missing (with sudo when not root); elsewhere it says
// exactly what to install.
func ensureSystemPackages() error {
	switch runtime.GOOS {
	case "linux":
		return ensureLinux()
	case "darwin":
		if _, err := exec.LookPath("clang"); err != nil {
			return errors.New("missing a C compiler: run `xcode-select --install` (Xcode Command Line Tools), then try again")
		}
		return nil
	case "windows":
		if _, err := exec.LookPath("gcc"); err != nil {
			return errors.New("missing gcc: install MSYS2 (https://www.msys2.org) and `pacman -S mingw-w64-x86_64-gcc`, put its bin folder on PATH, then try again")
		}
		return nil
	default:
		return nil
	}
}

func ensureLinux() error {
	missing := missingDebianPackages()
	if len(missing) == 0 {
		return nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("missing a C compiler, pkg-config or the GL/X11 development headers; "+
			"install the equivalents of these Debian packages with your package manager: %s", strings.Join(missing, " "))
	}
	fmt.Printf("installing system packages: %s\n", strings.Join(missing, " "))
	prefix, err := privilegePrefix()
	if err != nil {
		return fmt.Errorf("%w; as root run: apt-get update && apt-get install -y --no-install-recommends %s", err, strings.Join(missing, " "))
	}
	if err := run(prefix[0], append(prefix[1:], "apt-get", "update", "-q")...); err != nil {
		return fmt.Errorf("apt-get update: %w", err)
	}
	args := append(append(prefix[1:], "apt-get", "install", "-y", "-q", "--no-install-recommends"), missing...)
	cmd := exec.Command(prefix[0], args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("apt-get install %s: %w", strings.Join(missing, " "), err)
	}
	if still := missingDebianPackages(); len(still) > 0 {
		return fmt.Errorf("still missing after install: %s", strings.Join(still, " "))
	}
	return nil
}

// privilegePrefix returns the command prefix that runs apt-get as root: `env` when we are
// root already, `sudo` otherwise.
func privilegePrefix() ([]string, error) {
	if os.Geteuid() == 0 {
		return []string{"env"}, nil
	}
	if _, err := exec.LookPath("sudo"); err == nil {
		return []string{"sudo", "env"}, nil
	}
	return nil, errors.New("system packages are missing and neither root nor sudo is available")
}

// missingDebianPackages checks the compiler, pkg-config and each library, and returns the
// Debian packages that would provide what is missing.
func missingDebianPackages() []string {
	var missing []string
	add := func(p string) {
		for _, m := range missing {
			if m == p {
				return
			}
		}
		missing = append(missing, p)
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		add("gcc")
		add("libc6-dev")
	} else if !haveFile("/usr/include/stdio.h") {
		add("libc6-dev")
	}
	if _, err := exec.LookPath("pkg-config"); err != nil {
		add("pkg-config")
		for _, p := range debianPackages[3:] {
			add(p)
		}
		return missing
	}
	for mod, pkg := range pkgConfigModules {
		if _, err := output("pkg-config", "--exists", mod); err != nil {
			add(pkg)
		}
	}
	sort.Strings(missing)
	return missing
}

func haveFile(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
