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

// NotifyFacts answers from memory until a write of what it reads: a change made
// behind the cache's back (raw SQL) is not seen, each call that writes those
// columns is.
func TestNotifyFactsIsMemoisedUntilAWriteOfWhatItReads(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "g", Type: 2, Name: "Team", NotificationsEnabled: true}}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertUsers(ctx, []User{{ID: 8, Login: "bob"}}); err != nil {
		t.Fatal(err)
	}
	read := func() (NotifyDialog, map[int64]UserName) {
		t.Helper()
		d, names, err := db.NotifyFacts(ctx, "g", []int64{8, 9})
		if err != nil {
			t.Fatal(err)
		}
		return d, names
	}
	read()
	behind := func(q string) {
		t.Helper()
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	behind(`UPDATE dialogs SET name = 'Behind' WHERE id = 'g'`)
	behind(`UPDATE users SET login = 'behind' WHERE id = 8`)
	if d, names := read(); d.Name != "Team" || names[8].Login != "bob" {
		t.Fatalf("not memoised: %+v %+v", d, names)
	}
	steps := []struct {
		what  string
		write func() error
		check func(NotifyDialog, map[int64]UserName) bool
	}{
		{"SetMuted", func() error { return db.SetMuted(ctx, "g", true) },
			func(d NotifyDialog, n map[int64]UserName) bool {
				return d.Muted && d.Name == "Behind" && n[8].Login == "behind"
			}},
		{"SetNotificationsEnabled", func() error { return db.SetNotificationsEnabled(ctx, "g", false) },
			func(d NotifyDialog, _ map[int64]UserName) bool { return !d.NotificationsEnabled }},
		{"UpsertDialogs", func() error {
			return db.UpsertDialogs(ctx, []Dialog{{ID: "g", Type: 2, Name: "Renamed", NotificationsEnabled: true}})
		}, func(d NotifyDialog, _ map[int64]UserName) bool { return d.Name == "Renamed" }},
		{"UpsertUsers", func() error { return db.UpsertUsers(ctx, []User{{ID: 9, Login: "cy", FullName: "Cy"}}) },
			func(_ NotifyDialog, n map[int64]UserName) bool { return n[9].FullName == "Cy" }},
	}
	for _, st := range steps {
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		if d, names := read(); !st.check(d, names) {
			t.Fatalf("after %s: %+v %+v", st.what, d, names)
		}
	}
	if err := db.RemoveDialog(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.NotifyFacts(ctx, "g", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after RemoveDialog: %v, want ErrNotFound", err)
	}
}
