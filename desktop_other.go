//go:build !(linux || freebsd || openbsd || netbsd)

package main

import (
	"log/slog"

	"github.com/cubechat/cubechat/app"
)

// desktopServices: Windows and macOS always have a tray (Fyne's), and their
// notifications go through Fyne, which reports no click.
func desktopServices(deps *app.Deps, _ string, _ *slog.Logger) (closeAll func()) {
	deps.TrayHost = func() bool { return true }
	return func() {}
}
