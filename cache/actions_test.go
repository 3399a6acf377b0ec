package cache

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

// withAccount saves the account of user 7, the sender of newMsg's messages.
func withAccount(t testing.TB, db *DB) {
	t.Helper()
	if err := db.SaveAccount(context.Background(), Account{UserID: 7, Login: "me"}); err != nil {
		t.Fatal(err)
	}
}

func enqueueAction(t *testing.T, db *DB, a Action) int64 {
	t.Helper()
	id, err := db.EnqueueAction(context.Background(), a)
	if err != nil {
		t.Fatalf("EnqueueAction(%+v): %v", a, err)
	}
	return id
}

func TestActionsSurviveRestartAndApplyAtOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	withAccount(t, db)
	mine, theirs := newMsg("d1", 1, 1, "my text"), newMsg("d1", 2, 2, "their text")
	theirs.SenderID = 8
	doomed := newMsg("d1", 3, 3, "regrettable")
	upsert(t, db, mine, theirs, doomed)

	edit := enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: mine.ID, Text: "my better text"})
	react := enqueueAction(t, db, Action{Kind: ActionReact, MessageID: theirs.ID, Add: "🔥"})
	del := enqueueAction(t, db, Action{Kind: ActionDelete, MessageID: doomed.ID, ForEveryone: true})
	read := enqueueAction(t, db, Action{Kind: ActionRead, DialogID: "d1", MessageIDs: []string{theirs.ID}})
	if edit == 0 || react == 0 || del == 0 || read == 0 {
		t.Fatalf("ids %d %d %d %d", edit, react, del, read)
	}
	// Applied at once.
	if m := getMsg(t, db, mine.ID); m.Body != "my better text" || !m.EditPending || !m.Edited() {
		t.Fatalf("edited message = %+v", m)
	}
	if found, _ := db.Search(ctx, "better", 0); len(found) != 1 {
		t.Fatal("pending edit not searchable")
	}
	if m := getMsg(t, db, theirs.ID); !slices.Equal(m.ReactionsOf(7), []string{"🔥"}) || !slices.Equal(m.ReadIDs, []int64{7}) {
		t.Fatalf("reacted message = %+v", m)
	}
	if m := getMsg(t, db, doomed.ID); !m.Deleted || m.Body != "" {
		t.Fatalf("deleted message = %+v", m)
	}
	db.Close()

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	acts, err := db.Actions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Action{
		{ID: edit, Kind: ActionEdit, DialogID: "d1", MessageID: mine.ID, Text: "my better text"},
		{ID: react, Kind: ActionReact, DialogID: "d1", MessageID: theirs.ID, Add: "🔥"},
		{ID: del, Kind: ActionDelete, DialogID: "d1", MessageID: doomed.ID, ForEveryone: true},
		{ID: read, Kind: ActionRead, DialogID: "d1", MessageIDs: []string{theirs.ID}},
	}
	if len(acts) != len(want) {
		t.Fatalf("%d actions after restart, want %d: %+v", len(acts), len(want), acts)
	}
	for i, a := range acts {
		if a.CreatedAt.IsZero() {
			t.Errorf("action %d has no creation time", a.ID)
		}
		a.CreatedAt = want[i].CreatedAt
		if !actionsEqual(a, want[i]) {
			t.Errorf("action %d = %+v, want %+v", i, a, want[i])
		}
	}

	// Sent once: each settles and leaves the queue.
	if err := db.FailAction(ctx, edit, "timeout"); err != nil {
		t.Fatal(err)
	}
	acts, _ = db.Actions(ctx)
	if acts[0].Attempts != 1 || acts[0].LastError != "timeout" {
		t.Fatalf("after FailAction: %+v", acts[0])
	}
	for _, a := range acts {
		if err := db.DoneAction(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if acts, _ := db.Actions(ctx); len(acts) != 0 {
		t.Fatalf("queue not empty: %+v", acts)
	}
	if m := getMsg(t, db, mine.ID); m.Body != "my better text" || m.EditPending {
		t.Fatalf("confirmed edit = %+v", m)
	}
	if err := db.DoneAction(ctx, acts[0]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DoneAction twice = %v", err)
	}
	if err := db.FailAction(ctx, 999, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FailAction(unknown) = %v", err)
	}
	checkFTS(t, db)
}

func actionsEqual(a, b Action) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.DialogID == b.DialogID && a.MessageID == b.MessageID &&
		a.Text == b.Text && a.ForEveryone == b.ForEveryone && a.Add == b.Add && a.Remove == b.Remove &&
		slices.Equal(a.MessageIDs, b.MessageIDs) && a.Attempts == b.Attempts && a.LastError == b.LastError
}

func TestDropActionUndoesLocalEffect(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	withAccount(t, db)
	m := newMsg("d1", 1, 1, "original")
	m.Attachments = []Attachment{{Type: "image", UID: "u1"}}
	m.EditedAt = base.Add(5e9)
	m.Reactions = map[string][]int64{"👍": {7, 9}}
	upsert(t, db, m)

	tests := []struct {
		name     string
		act      Action
		noEffect bool // nothing to see locally: removing a reaction one never gave
		check    func(Message) bool
	}{
		{"edit", Action{Kind: ActionEdit, MessageID: m.ID, Text: "rewritten"}, false, func(got Message) bool {
			return got.Body == "original" && !got.EditPending && got.EditedAt.Equal(m.EditedAt)
		}},
		{"delete", Action{Kind: ActionDelete, MessageID: m.ID}, false, func(got Message) bool {
			return !got.Deleted && got.Body == "original" && len(got.Attachments) == 1 && got.Attachments[0].UID == "u1"
		}},
		{"switch reaction", Action{Kind: ActionReact, MessageID: m.ID, Add: "🎉", Remove: "👍"}, false, func(got Message) bool {
			return slices.Equal(got.ReactionsOf(7), []string{"👍"}) && slices.Equal(got.Reactions["👍"], []int64{7, 9}) &&
				got.Reactions["🎉"] == nil
		}},
		{"remove absent reaction", Action{Kind: ActionReact, MessageID: m.ID, Remove: "😢"}, true, func(got Message) bool {
			return slices.Equal(got.ReactionsOf(7), []string{"👍"})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := enqueueAction(t, db, tc.act)
			if got := getMsg(t, db, m.ID); tc.check(got) != tc.noEffect {
				t.Fatalf("not applied locally: %+v", got)
			}
			dropped, err := db.DropAction(ctx, id, "403 forbidden")
			if err != nil {
				t.Fatal(err)
			}
			if dropped.Kind != tc.act.Kind || dropped.LastError != "403 forbidden" || dropped.Text != tc.act.Text {
				t.Fatalf("dropped = %+v", dropped)
			}
			if got := getMsg(t, db, m.ID); !tc.check(got) {
				t.Fatalf("not undone: %+v", got)
			}
			if acts, _ := db.Actions(ctx); len(acts) != 0 {
				t.Fatalf("still queued: %+v", acts)
			}
		})
	}
	checkFTS(t, db)
	if _, err := db.DropAction(ctx, 12345, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DropAction(unknown) = %v", err)
	}
}

func TestEnqueueActionRules(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	withAccount(t, db)
	sent := newMsg("d1", 1, 1, "sent")
	theirs := newMsg("d1", 2, 2, "theirs")
	theirs.SenderID = 8
	upsert(t, db, sent, theirs)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3, UnreadCount: 4}}); err != nil {
		t.Fatal(err)
	}

	bad := []Action{
		{Kind: "poke", MessageID: sent.ID},
		{Kind: ActionEdit, Text: "no id"},
		{Kind: ActionEdit, MessageID: sent.ID},
		{Kind: ActionReact, MessageID: sent.ID},
		{Kind: ActionRead},
		{Kind: ActionDelivered, DialogID: "d1"},
		{Kind: ActionEdit, MessageID: theirs.ID, Text: "not mine"},
	}
	for _, a := range bad {
		if _, err := db.EnqueueAction(ctx, a); err == nil {
			t.Errorf("EnqueueAction(%+v) accepted", a)
		}
	}
	for _, k := range []ActionKind{ActionEdit, ActionDelete, ActionReact} {
		a := Action{Kind: k, MessageID: "missing", Text: "x", Add: "👍"}
		if _, err := db.EnqueueAction(ctx, a); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of an unknown message = %v, want ErrNotFound", k, err)
		}
	}

	// Two edits before reconnecting: one edit is sent, with the last text.
	changes, cancel := db.Subscribe()
	defer cancel()
	first := enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: sent.ID, Text: "v2"})
	if c := drain(t, changes); !c.Actions || !slices.Equal(c.Messages["d1"], []string{sent.ID}) {
		t.Fatalf("change after queueing an edit: %+v", c)
	}
	second := enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: sent.ID, Text: "v3"})
	if first != second {
		t.Fatalf("second edit queued separately: %d, %d", first, second)
	}
	acts, _ := db.Actions(ctx)
	if len(acts) != 1 || acts[0].Text != "v3" {
		t.Fatalf("queued edits %+v", acts)
	}
	// Dropping it restores the text from before both edits.
	if _, err := db.DropAction(ctx, first, "refused"); err != nil {
		t.Fatal(err)
	}
	if got := getMsg(t, db, sent.ID); got.Body != "sent" || got.EditPending {
		t.Fatalf("after dropping coalesced edit: %+v", got)
	}

	// A server copy of the unedited message does not overwrite a pending edit.
	enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: sent.ID, Text: "fresh"})
	upsert(t, db, sent)
	if got := getMsg(t, db, sent.ID); got.Body != "fresh" || !got.EditPending {
		t.Fatalf("server copy overwrote the pending edit: %+v", got)
	}

	// Reading the whole dialog replaces queued reads and zeroes the unread count.
	enqueueAction(t, db, Action{Kind: ActionRead, DialogID: "d1", MessageIDs: []string{theirs.ID}})
	all := enqueueAction(t, db, Action{Kind: ActionRead, DialogID: "d1"})
	var reads []int64
	acts, _ = db.Actions(ctx)
	for _, a := range acts {
		if a.Kind == ActionRead {
			reads = append(reads, a.ID)
		}
	}
	if !slices.Equal(reads, []int64{all}) {
		t.Fatalf("read actions %v, want only %d", reads, all)
	}
	if d, _ := db.Dialog(ctx, "d1"); d.UnreadCount != 0 {
		t.Fatalf("unread %d after queued read", d.UnreadCount)
	}

	// Deleting a deleted message does nothing.
	enqueueAction(t, db, Action{Kind: ActionDelete, MessageID: theirs.ID})
	if id := enqueueAction(t, db, Action{Kind: ActionDelete, MessageID: theirs.ID}); id != 0 {
		t.Fatalf("second delete queued as %d", id)
	}
}

func TestActionsOnUnsentMessagesStayLocal(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	withAccount(t, db)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3}}); err != nil {
		t.Fatal(err)
	}
	upsert(t, db, newMsg("d1", 1, 1, "earlier"))
	draft := Message{ID: msgID(2), DialogID: "d1", SenderID: 7, Body: "typo", SentAt: base.Add(10e9)}
	if err := db.EnqueueOutgoing(ctx, draft); err != nil {
		t.Fatal(err)
	}
	if id := enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: draft.ID, Text: "fixed"}); id != 0 {
		t.Fatalf("edit of an unsent message queued as action %d", id)
	}
	out, _ := db.Outbox(ctx)
	if len(out) != 1 || out[0].Body != "fixed" || out[0].EditPending {
		t.Fatalf("outbox after local edit = %+v", out)
	}
	if id := enqueueAction(t, db, Action{Kind: ActionDelete, MessageID: draft.ID}); id != 0 {
		t.Fatalf("delete of an unsent message queued as action %d", id)
	}
	if _, err := db.Message(ctx, draft.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unsent message still stored: %v", err)
	}
	if out, _ := db.Outbox(ctx); len(out) != 0 {
		t.Fatalf("deleted message still queued: %v", ids(out))
	}
	if acts, _ := db.Actions(ctx); len(acts) != 0 {
		t.Fatalf("actions queued: %+v", acts)
	}
	if d, _ := db.Dialog(ctx, "d1"); d.LastMessageID != msgID(1) || d.LastMessage != "earlier" {
		t.Fatalf("dialog still shows the removed message: %+v", d)
	}
	checkFTS(t, db)
}

func TestReactionAndMarkerActionsNeedAccount(t *testing.T) {
	db := openTest(t)
	upsert(t, db, newMsg("d1", 1, 1, "x"))
	for _, a := range []Action{
		{Kind: ActionReact, MessageID: msgID(1), Add: "👍"},
		{Kind: ActionRead, DialogID: "d1"},
	} {
		if _, err := db.EnqueueAction(context.Background(), a); err == nil {
			t.Errorf("%s without an account accepted", a.Kind)
		}
	}
}

// TestEditChangedWhileOnItsWayStaysQueued: the outbox reads an edit and sends it;
// before the server's answer the user edits again, which folds the new text into the
// queued edit. The answer accepts the first text only: the edit must stay queued with
// the second, still pending, or the server never gets it.
func TestEditChangedWhileOnItsWayStaysQueued(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	withAccount(t, db)
	mine := newMsg("d1", 1, 1, "my text")
	upsert(t, db, mine)
	enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: mine.ID, Text: "first edit"})
	acts, err := db.Actions(ctx)
	if err != nil || len(acts) != 1 {
		t.Fatalf("queue: %+v, %v", acts, err)
	}
	sent := acts[0]
	enqueueAction(t, db, Action{Kind: ActionEdit, MessageID: mine.ID, Text: "second edit"})
	if err := db.DoneAction(ctx, sent); err != nil {
		t.Fatal(err)
	}
	acts, _ = db.Actions(ctx)
	if len(acts) != 1 || acts[0].Text != "second edit" {
		t.Fatalf("after the first text was accepted the queue holds %+v, want the second edit", acts)
	}
	if m := getMsg(t, db, mine.ID); m.Body != "second edit" || !m.EditPending {
		t.Fatalf("message = %q pending %v, want the second edit still pending", m.Body, m.EditPending)
	}
	if err := db.DoneAction(ctx, acts[0]); err != nil {
		t.Fatal(err)
	}
	if acts, _ := db.Actions(ctx); len(acts) != 0 {
		t.Fatalf("queue not empty: %+v", acts)
	}
	if m := getMsg(t, db, mine.ID); m.Body != "second edit" || m.EditPending {
		t.Fatalf("message = %q pending %v after the second edit was accepted", m.Body, m.EditPending)
	}
}
