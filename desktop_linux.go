//go:build linux || freebsd || openbsd || netbsd

package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2/lang"

	"github.com/cubechat/cubechat/app"
	"github.com/cubechat/cubechat/assets"
	"github.com/cubechat/cubechat/internal/freedesktop"
)

// desktopServices connects cubechat to the desktop's D-Bus services: the tray (only
// when a session bus is there; Fyne's tray crashes on quit without one) and
// notifications whose click opens their chat (Fyne's report no click). Without them
// the app runs on: no tray, Fyne's notifications. It returns what closes them.
func desktopServices(deps *app.Deps, profileDir string, logger *slog.Logger) (closeAll func()) {
	if host, err := freedesktop.TrayHost(); err != nil {
		logger.Info("no D-Bus session: no tray icon, and closing the window quits", "err", err)
	} else {
		deps.TrayHost = host
	}
	n, err := freedesktop.NewNotifier(freedesktop.Options{AppName: "cubechat", DesktopEntry: appID,
		Icon: notificationIcon(profileDir, logger), OpenLabel: lang.L("Open")})
	if err != nil {
		logger.Info("notifications through Fyne: a click on one cannot open its chat", "err", err)
		return func() {}
	}
	deps.Notifier = n
	return func() { n.Close() }
}

// notificationIcon is the path of the app icon for notifications, written into the
// profile's directory when missing or outdated; "" (the server's default) on failure.
func notificationIcon(profileDir string, logger *slog.Logger) string {
	path := filepath.Join(profileDir, "notification-icon.png")
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, assets.IconPNG) {
		return path
	}
	if err := os.WriteFile(path, assets.IconPNG, 0o600); err != nil {
		logger.Warn("writing the notification icon", "err", err)
		return ""
	}
	return path
}
