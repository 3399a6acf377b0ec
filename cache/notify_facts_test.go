package cache

import (
	"context"
	"errors"
	"testing"
)

func TestNotifyFactsReadsTheDialogAndTheNamesHeld(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "g", Type: 2, Name: "Team", NotificationsEnabled: true}}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertUsers(ctx, []User{{ID: 8, Login: "bob", FullName: "Bob B"}, {ID: 9, Login: "cy"}}); err != nil {
		t.Fatal(err)
	}
	d, names, err := db.NotifyFacts(ctx, "g", []int64{8, 9, 10, 8})
	if err != nil {
		t.Fatal(err)
	}
	if d != (NotifyDialog{Name: "Team", Type: 2, NotificationsEnabled: true}) {
		t.Fatalf("dialog %+v", d)
	}
	if len(names) != 2 || names[8] != (UserName{Login: "bob", FullName: "Bob B"}) || names[9] != (UserName{Login: "cy"}) {
		t.Fatalf("names %+v, want bob and cy only", names)
	}
	// Muted here, and no senders asked for.
	if err := db.SetMuted(ctx, "g", true); err != nil {
		t.Fatal(err)
	}
	if d, names, err = db.NotifyFacts(ctx, "g", nil); err != nil || !d.Muted || len(names) != 0 {
		t.Fatalf("muted dialog: %+v, %v, %v", d, names, err)
	}
	if _, _, err := db.NotifyFacts(ctx, "unknown", []int64{8}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown dialog: %v, want ErrNotFound", err)
	}
}
