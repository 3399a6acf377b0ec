package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Fyne keeps an app's preferences (the login form's server profiles) and storage in a
// folder named after the app id. The id changed from legacyAppID to appID (the old one
// ended in ".desktop", which made the packaged desktop file "….desktop.desktop"), so the
// old folder is renamed to the new name once, before Fyne loads it. Session tokens are
// unaffected: the keyring names them by its own service ("cubechat").

// fyneConfigRoot is where Fyne keeps per-app folders on desktops (fyne's
// internal/app.RootConfigDir, which is not importable).
func fyneConfigRoot() (string, error) {
	switch runtime.GOOS {
	case "windows":
		home, err := os.UserHomeDir()
		return filepath.Join(home, "AppData", "Roaming", "fyne"), err
	case "darwin":
		home, err := os.UserHomeDir()
		return filepath.Join(home, "Library", "Preferences", "fyne"), err
	default:
		dir, err := os.UserConfigDir()
		return filepath.Join(dir, "fyne"), err
	}
}

// migratePreferences renames Fyne's folder for oldID to newID when only the old one exists.
func migratePreferences(oldID, newID string) error {
	root, err := fyneConfigRoot()
	if err != nil {
		return err
	}
	return moveAppFolder(root, oldID, newID)
}

// moveAppFolder renames root/oldID to root/newID unless newID already has a folder (then
// the new one wins and the old one is left alone) or there is nothing to move.
func moveAppFolder(root, oldID, newID string) error {
	from, to := filepath.Join(root, oldID), filepath.Join(root, newID)
	if _, err := os.Stat(to); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if _, err := os.Stat(from); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	return os.Rename(from, to)
}
