package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMoveAppFolderCarriesPreferencesOver(t *testing.T) {
	root := t.TempDir()
	old := filepath.Join(root, legacyAppID)
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "preferences.json"), []byte(`{"form":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := moveAppFolder(root, legacyAppID, appID); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, appID, "preferences.json"))
	if err != nil || string(got) != `{"form":"x"}` {
		t.Fatalf("preferences under the new id: %q, %v", got, err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("the old folder is still there: %v", err)
	}
}

func TestMoveAppFolderKeepsExistingNewFolder(t *testing.T) {
	root := t.TempDir()
	for id, content := range map[string]string{legacyAppID: "old", appID: "new"} {
		if err := os.MkdirAll(filepath.Join(root, id), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, id, "preferences.json"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := moveAppFolder(root, legacyAppID, appID); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, appID, "preferences.json")); string(got) != "new" {
		t.Fatalf("the newer preferences were replaced by %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(root, legacyAppID, "preferences.json")); string(got) != "old" {
		t.Fatalf("the old folder was touched: %q", got)
	}
	// Nothing to move is not an error.
	if err := moveAppFolder(t.TempDir(), legacyAppID, appID); err != nil {
		t.Fatal(err)
	}
}
