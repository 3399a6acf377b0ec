package cache

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestDialogListReadsAgree: DialogOrder sorts as Dialogs lists (activity = last
// message, else last update, newest first; ties by id), NewestDialogs is the head
// of VisibleDialogs, and DialogsByID finds hidden dialogs and skips unknown ids.
func TestDialogListReadsAgree(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var in []Dialog
	for i := range 12 {
		d := Dialog{ID: fmt.Sprintf("d%02d", 11-i), Type: 2, Name: fmt.Sprint("group ", i),
			UpdatedAt: base.Add(time.Duration(i%4) * time.Minute)}
		if i%3 != 0 {
			d.LastMessageID = msgID(i + 1)
			d.LastMessageAt = base.Add(time.Duration(i%5) * time.Minute) // ties with other dialogs' updates
		}
		in = append(in, d)
	}
	if err := db.UpsertDialogs(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := db.SetHidden(ctx, "d04", true); err != nil {
		t.Fatal(err)
	}
	all, err := db.Dialogs(ctx)
	if err != nil || len(all) != len(in) {
		t.Fatalf("Dialogs: %d, %v", len(all), err)
	}
	sorted := slices.Clone(all)
	slices.Reverse(sorted)
	slices.SortFunc(sorted, DialogOrder)
	if !slices.EqualFunc(all, sorted, func(a, b Dialog) bool { return a.ID == b.ID }) {
		t.Fatalf("DialogOrder sorts %v, Dialogs lists %v", dialogIDs(sorted), dialogIDs(all))
	}
	visible, err := db.VisibleDialogs(ctx)
	if err != nil || len(visible) != len(in)-1 {
		t.Fatalf("VisibleDialogs: %d, %v", len(visible), err)
	}
	head, err := db.NewestDialogs(ctx, 5)
	if err != nil || !slices.EqualFunc(head, visible[:5], func(a, b Dialog) bool { return dialogsEqual(a, b) }) {
		t.Fatalf("NewestDialogs(5) = %v, %v; want %v", dialogIDs(head), err, dialogIDs(visible[:5]))
	}
	got, err := db.DialogsByID(ctx, []string{"d04", "nope", "d07"})
	if err != nil || len(got) != 2 {
		t.Fatalf("DialogsByID: %v, %v", dialogIDs(got), err)
	}
	for _, d := range got {
		if d.ID == "d04" && !d.Hidden {
			t.Error("DialogsByID lost the hidden flag")
		}
	}
}

func dialogIDs(list []Dialog) []string {
	out := make([]string, len(list))
	for i, d := range list {
		out[i] = d.ID
	}
	return out
}
