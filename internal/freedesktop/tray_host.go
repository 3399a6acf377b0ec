package freedesktop

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

// TrayHost connects to the session bus and returns a function that reports whether a
// StatusNotifierItem host (the panel that shows tray icons) is registered now. It uses
// the process's shared session connection, the one Fyne's tray uses too: when TrayHost
// succeeds, the tray has a working connection (without one Fyne's tray crashes on
// quit, fyne-io/fyne#6403).
func TrayHost() (func() bool, error) {
	conn, err := dbus.SessionBus()
	if err != nil {
		return nil, fmt.Errorf("connect to the D-Bus session: %w", err)
	}
	return func() bool { return trayHostRegistered(conn) }, nil
}

func trayHostRegistered(conn *dbus.Conn) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var v dbus.Variant
	err := conn.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher").CallWithContext(ctx,
		"org.freedesktop.DBus.Properties.Get", 0, "org.kde.StatusNotifierWatcher", "IsStatusNotifierHostRegistered").Store(&v)
	if err != nil {
		return false // no watcher: no tray on this desktop
	}
	registered, _ := v.Value().(bool)
	return registered
}
