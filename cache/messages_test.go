package cache

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestUpsertMessagesIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	changes, cancel := db.Subscribe()
	defer cancel()

	m := newMsg("d1", 1, 0, "hello")
	m.Attachments = []Attachment{{Type: "image", UID: "u1", URL: "http://x/y", Size: 42, Width: 3, Height: 4}}
	m.Custom = map[string]any{"n": 5, "s": "x"}
	if n := upsert(t, db, m, m); n != 1 {
		t.Fatalf("inserted %d, want 1 (same id twice in one batch)", n)
	}
	c := drain(t, changes)
	if !slices.Equal(c.Messages["d1"], []string{m.ID}) {
		t.Fatalf("change %+v", c)
	}
	if n := upsert(t, db, m); n != 0 {
		t.Fatalf("re-upsert inserted %d", n)
	}
	assertQuiet(t, changes) // nothing changed, nothing published

	got := getMsg(t, db, m.ID)
	if got.Body != "hello" || !got.SentAt.Equal(m.SentAt) || got.State != StateSent ||
		!slices.Equal(got.Attachments, m.Attachments) || got.Custom["n"] != float64(5) || got.Custom["s"] != "x" {
		t.Fatalf("round trip = %+v", got)
	}
	var rows int
	db.r.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&rows)
	if rows != 1 {
		t.Fatalf("%d rows", rows)
	}
	if _, err := db.Message(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Message(unknown) = %v", err)
	}
}

func TestUpsertMessagesStateNeverMovesBack(t *testing.T) {
	tests := []struct {
		name  string
		steps []MessageState
		want  MessageState
	}{
		{"forward path", []MessageState{StatePending, StateSent, StateDelivered, StateRead}, StateRead},
		{"late sent after read", []MessageState{StateRead, StateSent}, StateRead},
		{"late delivered after read", []MessageState{StateSent, StateRead, StateDelivered}, StateRead},
		{"pending copy after sent", []MessageState{StateSent, StatePending}, StateSent},
		{"failed from pending", []MessageState{StatePending, StateFailed}, StateFailed},
		{"failed ignored once sent", []MessageState{StateSent, StateFailed}, StateSent},
		{"server copy rescues failed", []MessageState{StatePending, StateFailed, StateDelivered}, StateDelivered},
		{"stateless server copy is sent", []MessageState{StatePending, ""}, StateSent},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			for _, s := range tc.steps {
				m := newMsg("d1", i, 0, "x")
				m.State = s
				upsert(t, db, m)
			}
			if got := getMsg(t, db, msgID(i)).State; got != tc.want {
				t.Fatalf("state %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUpsertMessagesRejectsInvalidBatch(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	bad := []Message{
		{DialogID: "d1"},
		{ID: "x"},
		{ID: "x", DialogID: "d1", State: "bogus"},
		{ID: "x", DialogID: "d1", Custom: map[string]any{"f": func() {}}},
	}
	for _, m := range bad {
		if _, err := db.UpsertMessages(ctx, []Message{newMsg("d1", 1, 0, "good"), m}); err == nil {
			t.Errorf("batch with %+v accepted", m)
		}
	}
	var rows int
	db.r.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&rows)
	if rows != 0 {
		t.Fatalf("rejected batches left %d rows", rows)
	}
}

func TestMessagesPagingStableWithinOneSecond(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var all []Message
	for i := range 230 {
		all = append(all, newMsg("d1", 1000-i, 0, "same second")) // ids descend while inserted
	}
	all = append(all, newMsg("d1", 5, -10, "older"), newMsg("d1", 2000, 10, "newer"), newMsg("other", 3000, 5, "x"))
	upsert(t, db, all...)

	var seen []string
	before, beforeID := time.Time{}, ""
	for {
		page, err := db.Messages(ctx, "d1", before, beforeID, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if !slices.IsSortedFunc(page, func(a, b Message) int {
			if c := a.SentAt.Compare(b.SentAt); c != 0 {
				return c
			}
			return a.Arrival - b.Arrival
		}) {
			t.Fatalf("page not ascending: %v", ids(page))
		}
		seen = append(ids(page), seen...)
		before, beforeID = page[0].SentAt, page[0].ID
	}
	if len(seen) != 232 {
		t.Fatalf("paged through %d messages, want 232", len(seen))
	}
	if seen[0] != msgID(5) || seen[len(seen)-1] != msgID(2000) {
		t.Fatalf("ends are %s … %s", seen[0], seen[len(seen)-1])
	}
	// The same second reads in the order the messages reached the cache (arrival.go),
	// whatever their ids.
	if !slices.Equal(seen[1:231], ids(all[:230])) || len(slices.Compact(slices.Clone(seen))) != 232 {
		t.Fatal("same-second messages out of order or repeated")
	}
	// An empty beforeID means strictly older than before.
	older, _ := db.Messages(ctx, "d1", base, "", 0)
	if len(older) != 1 || older[0].ID != msgID(5) {
		t.Fatalf("older than base: %v", ids(older))
	}
}

func TestNewestIgnoresUnconfirmed(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if m, err := db.NewestMessage(ctx, "d1"); m != nil || err != nil {
		t.Fatalf("empty cache: %v, %v", m, err)
	}
	upsert(t, db, newMsg("d1", 1, 0, "a"), newMsg("d1", 2, 5, "b"), newMsg("d2", 3, 7, "c"))
	pending := newMsg("d1", 4, 60, "typed offline")
	if err := db.EnqueueOutgoing(ctx, pending); err != nil {
		t.Fatal(err)
	}
	failed := newMsg("d2", 5, 90, "failed")
	failed.State = StatePending
	upsert(t, db, failed)
	if err := db.MarkFailed(ctx, failed.ID, "boom"); err != nil {
		t.Fatal(err)
	}

	m, err := db.NewestMessage(ctx, "d1")
	if err != nil || m == nil || m.ID != msgID(2) {
		t.Fatalf("NewestMessage = %+v, %v", m, err)
	}
}

func TestUpsertDerivesDialogLastMessage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Name: "chat", LastMessage: "from rest",
		LastMessageID: msgID(10), LastMessageAt: base.Add(10 * time.Second), UpdatedAt: base}})
	if err != nil {
		t.Fatal(err)
	}
	changes, cancel := db.Subscribe()
	defer cancel()
	last := func() Dialog {
		d, err := db.Dialog(ctx, "d1")
		if err != nil {
			t.Fatal(err)
		}
		return *d
	}

	upsert(t, db, newMsg("d1", 5, 5, "older than the dialog's"))
	if d := last(); d.LastMessage != "from rest" {
		t.Fatalf("older message replaced last message: %+v", d)
	}
	c := drain(t, changes)
	if len(c.Dialogs) != 0 {
		t.Fatalf("dialog published without a change: %+v", c)
	}

	live := newMsg("d1", 11, 10, "live, same second, larger id")
	live.SenderID = 42
	upsert(t, db, live)
	d := last()
	if d.LastMessage != live.Body || d.LastMessageID != live.ID || d.LastMessageUserID != 42 ||
		!d.LastMessageAt.Equal(live.SentAt) {
		t.Fatalf("live message not derived: %+v", d)
	}
	if c := drain(t, changes); !slices.Contains(c.Dialogs, "d1") {
		t.Fatalf("dialog change missing: %+v", c)
	}

	edited := live
	edited.Body, edited.EditedAt = "edited", base.Add(time.Hour)
	upsert(t, db, edited)
	if d := last(); d.LastMessage != "edited" {
		t.Fatalf("edit of last message not reflected: %+v", d)
	}

	gone := edited
	gone.Deleted = true
	upsert(t, db, gone)
	if d := last(); d.LastMessageID != msgID(5) {
		t.Fatalf("after deleting the last message: %+v", d)
	}

	// A stale REST copy of the dialog does not roll the last message back.
	err = db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Name: "chat", LastMessage: "from rest",
		LastMessageID: msgID(4), LastMessageAt: base.Add(4 * time.Second), UpdatedAt: base}})
	if err != nil {
		t.Fatal(err)
	}
	if d := last(); d.LastMessageID != msgID(5) {
		t.Fatalf("stale dialog copy rolled back: %+v", d)
	}

	// Messages of an unknown dialog are stored; no dialog appears.
	upsert(t, db, newMsg("unknown", 50, 0, "early"))
	if _, err := db.Dialog(ctx, "unknown"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Dialog(unknown) = %v", err)
	}
}

func TestAdvanceStates(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	upsert(t, db, newMsg("d1", 1, 0, "a"), newMsg("d1", 2, 1, "b"))
	upsert(t, db, Message{ID: msgID(2), DialogID: "d1", Body: "b", SentAt: base.Add(time.Second), State: StateRead, SenderID: 7, RecipientID: 8})
	n, err := db.AdvanceStates(ctx, []string{msgID(1), msgID(2), "unknown"}, StateDelivered)
	if err != nil || n != 1 {
		t.Fatalf("AdvanceStates = %d, %v", n, err)
	}
	if s := getMsg(t, db, msgID(1)).State; s != StateDelivered {
		t.Fatalf("msg 1 %q", s)
	}
	if m := getMsg(t, db, msgID(2)); m.State != StateRead || m.Body != "b" {
		t.Fatalf("msg 2 %+v", m)
	}
	if _, err := db.AdvanceStates(ctx, nil, "nonsense"); err == nil {
		t.Fatal("unknown state accepted")
	}
}

func TestChatAPIMessageFieldsRoundTrip(t *testing.T) {
	m := newMsg("d1", 1, 1, "quiet")
	m.Silent = true
	m.DeliveredIDs = []int64{9, 8, 8}
	m.ReadIDs = []int64{9}
	m.Reactions = map[string][]int64{"👍": {3}}
	m.Attachments = []Attachment{{Type: "audio", ID: "3004", UID: "u", Duration: 12, Data: "x"}}
	db := openTest(t)
	upsert(t, db, m)
	got := getMsg(t, db, m.ID)
	if !got.Silent || !slices.Equal(got.DeliveredIDs, []int64{8, 9}) || !slices.Equal(got.ReadIDs, []int64{9}) ||
		!slices.Equal(got.Reactions["👍"], []int64{3}) || got.Attachments[0].Duration != 12 ||
		got.Attachments[0].ID != "3004" || got.Edited() {
		t.Fatalf("round trip = %+v", got)
	}
	page, err := db.Messages(context.Background(), "d1", time.Time{}, "", 0)
	if err != nil || len(page) != 1 || !page[0].Silent {
		t.Fatalf("page %+v, %v", page, err)
	}
}

func TestMessagesByID(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	upsert(t, db, newMsg("d1", 1, 1, "one"), newMsg("d2", 2, 2, "two"), newMsg("d1", 3, 3, "three"))
	got, err := db.MessagesByID(ctx, []string{msgID(3), msgID(9), msgID(1), msgID(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[msgID(1)].Body != "one" || got[msgID(3)].Body != "three" || got[msgID(3)].DialogID != "d1" {
		t.Fatalf("MessagesByID = %+v", got)
	}
	if got, err := db.MessagesByID(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no ids: %v, %v", got, err)
	}
	// Ids that need JSON escaping are looked up as they are.
	odd := newMsg("d1", 4, 4, "odd")
	odd.ID = `id "with" \ quotes`
	upsert(t, db, odd)
	if got, err := db.MessagesByID(ctx, []string{odd.ID}); err != nil || got[odd.ID] == nil {
		t.Fatalf("odd id: %v, %v", got, err)
	}
}
