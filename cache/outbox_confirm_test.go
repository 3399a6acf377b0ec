package cache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// markSentAllGeneral is MarkSentAll as it was before its narrow UPDATE: settleOne
// with markSent for each mark, then refreshLastMessages. The confirmation write
// must leave the cache exactly as this does.
func markSentAllGeneral(ctx context.Context, db *DB, marks []SentMark) error {
	return db.write(ctx, "mark sent (general)", func(tx *txn, ch *Change) error {
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		touched := map[string]map[string]bool{}
		for _, mk := range marks {
			if _, err := settleOne(w, mk.ID, markSent(mk.SentAt), touched, ch); err != nil {
				return err
			}
		}
		return refreshLastMessages(ctx, tx, touched, ch)
	})
}

// confirmScenario is a random cache state with queued messages and the marks of
// one confirmation: server copies in crowded seconds, pending messages (some written,
// some failed, some already delivered or read by a server copy, one deleted), a
// hidden dialog, a dialog that is not cached, and marks at the stored time, at no
// time, at the start of the stored second and in other seconds, unknown ids and
// repeats.
type confirmScenario struct {
	dialogs []Dialog
	server  []Message
	queued  []Message
	written map[string]bool
	failed  []string
	copies  []Message // server copies of queued messages
	hide    string    // a dialog hidden last
	marks   []SentMark
}

func newConfirmScenario(seed uint64) confirmScenario {
	r := rand.New(rand.NewPCG(seed, 99))
	s := confirmScenario{
		dialogs: []Dialog{{ID: "d1", Type: 3, OccupantIDs: []int64{7, 8}}, {ID: "d2", Type: 2}},
		written: map[string]bool{},
		hide:    []string{"", "d1", "d2"}[r.IntN(3)],
	}
	dialogIDs := []string{"d1", "d2", "d3"} // d3 is not cached
	n := 1
	for range 4 + r.IntN(8) {
		s.server = append(s.server, Message{ID: msgID(1000 + r.IntN(9000)), DialogID: dialogIDs[r.IntN(3)],
			SenderID: 8, Body: fmt.Sprintf("server %d", n), SentAt: base.Add(time.Duration(r.IntN(6)) * time.Second),
			State: []MessageState{StateSent, StateRead}[r.IntN(2)]})
		n++
	}
	for range 1 + r.IntN(6) {
		m := Message{ID: msgID(100 + n), DialogID: dialogIDs[r.IntN(3)], SenderID: 7,
			Body: fmt.Sprintf("mine %d", n), SentAt: base.Add(time.Duration(r.IntN(7000)) * time.Millisecond)}
		n++
		s.queued = append(s.queued, m)
		s.written[m.ID] = r.IntN(2) == 0
		switch r.IntN(8) {
		case 0:
			s.failed = append(s.failed, m.ID)
		case 1:
			c := m
			c.State, c.ReadIDs = StateRead, []int64{8}
			s.copies = append(s.copies, c)
		case 2:
			c := m
			c.State, c.DeliveredIDs = StateDelivered, []int64{8}
			s.copies = append(s.copies, c)
		case 3:
			c := m
			c.State, c.Deleted = StateSent, true
			s.copies = append(s.copies, c)
		}
	}
	candidates := append(ids(s.queued), "unknown")
	for range 1 + r.IntN(4) {
		id := candidates[r.IntN(len(candidates))]
		var stored time.Time
		for _, m := range s.queued {
			if m.ID == id {
				stored = m.SentAt
			}
		}
		var at time.Time
		switch r.IntN(5) {
		case 0: // keep the stored time
		case 1:
			at = stored
		case 2:
			at = stored.Truncate(time.Second)
		case 3:
			at = stored.Truncate(time.Second).Add(time.Second)
		default:
			at = base.Add(time.Duration(r.IntN(8)) * time.Second)
		}
		s.marks = append(s.marks, SentMark{ID: id, SentAt: at})
	}
	return s
}

// build stores the scenario's state in db.
func (s confirmScenario) build(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	if err := db.UpsertDialogs(ctx, s.dialogs); err != nil {
		t.Fatal(err)
	}
	if len(s.server) > 0 {
		upsert(t, db, s.server...)
	}
	for _, m := range s.queued {
		queue := db.EnqueueOutgoing
		if s.written[m.ID] {
			queue = db.EnqueueWritten
		}
		if err := queue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range s.failed {
		if err := db.MarkFailed(ctx, id, "refused"); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.copies) > 0 {
		upsert(t, db, s.copies...)
	}
	if s.hide != "" {
		if err := db.SetHidden(ctx, s.hide, true); err != nil {
			t.Fatal(err)
		}
	}
}

// cacheDump is every row a confirmation may touch, as stored (outbox rows without
// their clock times). Search entries are left out: the indexer writes them on its
// own goroutine, and TestConfirmedMessageStaysSearchable covers them.
func cacheDump(t *testing.T, db *DB) [][]any {
	t.Helper()
	var out [][]any
	for _, q := range []string{
		`SELECT * FROM messages ORDER BY pk`,
		`SELECT * FROM dialogs ORDER BY id`,
		`SELECT message_id, written_at != 0, written_body FROM outbox ORDER BY seq`,
	} {
		rows, err := db.r.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, append([]any{q}, vals...))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// confirmAndWatch runs confirm on db and returns the change it published (empty
// when none).
func confirmAndWatch(t *testing.T, db *DB, confirm func() error) (Change, error) {
	t.Helper()
	changes, cancel := db.Subscribe()
	defer cancel()
	err := confirm()
	select {
	case c := <-changes:
		return c, err
	default:
		return Change{}, err
	}
}

// The narrow confirmation leaves every row, and publishes every change, exactly as
// the general settle does, over many random states and batches (MarkSentAll) and
// for each single mark (MarkSent, which also reports an unknown id).
func TestConfirmationMatchesTheGeneralSettle(t *testing.T) {
	ctx := context.Background()
	published := 0 // batches whose general settle published a change: the comparison is not vacuous
	for seed := range uint64(60) {
		s := newConfirmScenario(seed)
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			general, narrow := openTest(t), openTest(t)
			s.build(t, general)
			s.build(t, narrow)
			if !reflect.DeepEqual(cacheDump(t, general), cacheDump(t, narrow)) {
				t.Fatal("the two caches differ before the confirmation")
			}
			want, werr := confirmAndWatch(t, general, func() error { return markSentAllGeneral(ctx, general, s.marks) })
			got, gerr := confirmAndWatch(t, narrow, func() error { return narrow.MarkSentAll(ctx, s.marks) })
			if werr != nil || gerr != nil {
				t.Fatalf("general: %v, narrow: %v", werr, gerr)
			}
			compareConfirmed(t, general, narrow, want, got)
			if !want.Empty() {
				published++
			}

			// Then each mark alone through MarkSent, on fresh copies.
			for _, mk := range s.marks {
				general, narrow := openTest(t), openTest(t)
				s.build(t, general)
				s.build(t, narrow)
				want, werr := confirmAndWatch(t, general, func() error {
					return general.settle(ctx, mk.ID, "mark sent", markSent(mk.SentAt))
				})
				got, gerr := confirmAndWatch(t, narrow, func() error { return narrow.MarkSent(ctx, mk.ID, mk.SentAt) })
				if errors.Is(werr, ErrNotFound) != errors.Is(gerr, ErrNotFound) || (werr == nil) != (gerr == nil) {
					t.Fatalf("MarkSent(%s): general %v, narrow %v", mk.ID, werr, gerr)
				}
				compareConfirmed(t, general, narrow, want, got)
			}
		})
	}
	if published < 20 {
		t.Fatalf("only %d of 60 batches published a change", published)
	}
}

func compareConfirmed(t *testing.T, general, narrow *DB, want, got Change) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Errorf("change: general %+v, narrow %+v", want, got)
	}
	a, b := cacheDump(t, general), cacheDump(t, narrow)
	if !reflect.DeepEqual(a, b) {
		for i := range max(len(a), len(b)) {
			var x, y []any
			if i < len(a) {
				x = a[i]
			}
			if i < len(b) {
				y = b[i]
			}
			if !reflect.DeepEqual(x, y) {
				t.Errorf("row %d: general %v, narrow %v", i, x, y)
			}
		}
		t.FailNow()
	}
}

// The live path's confirmation: the dialog's last message is the pending message,
// which moves back to the start of its second at the server's time; the dialog
// follows it.
func TestMarkSentMovesTheLastMessageWithItsSecond(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3}}); err != nil {
		t.Fatal(err)
	}
	upsert(t, db, Message{ID: msgID(50), DialogID: "d1", SenderID: 8, Body: "theirs", SentAt: base.Add(time.Second)})
	mine := Message{ID: msgID(10), DialogID: "d1", SenderID: 7, Body: "mine", SentAt: base.Add(1700 * time.Millisecond)}
	if err := db.EnqueueWritten(ctx, mine); err != nil {
		t.Fatal(err)
	}
	changes, cancel := db.Subscribe()
	defer cancel()
	serverTime := base.Add(time.Second)
	if err := db.MarkSentAll(ctx, []SentMark{{ID: mine.ID, SentAt: serverTime}}); err != nil {
		t.Fatal(err)
	}
	c := drain(t, changes)
	if !slices.Equal(c.Messages["d1"], []string{mine.ID}) || !slices.Equal(c.Dialogs, []string{"d1"}) {
		t.Fatalf("change %+v", c)
	}
	got, err := db.Messages(ctx, "d1", time.Time{}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{msgID(50), mine.ID}; !slices.Equal(ids(got), want) {
		t.Fatalf("order %v, want %v (the confirmed one last in its second)", ids(got), want)
	}
	d, err := db.Dialog(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	if d.LastMessageID != mine.ID || !d.LastMessageAt.Equal(serverTime) || d.LastMessage != "mine" {
		t.Fatalf("dialog %+v", d)
	}
	if m := getMsg(t, db, mine.ID); m.State != StateSent || !m.SentAt.Equal(serverTime) {
		t.Fatalf("message %+v", m)
	}
}

// A dialog hidden while its last message was pending shows again when the
// confirmation moves that message past the hiding, and stays hidden otherwise.
func TestMarkSentShowsAHiddenDialogWhenItsLastMessageMovesPastTheHiding(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		serverTime time.Time
		hidden     bool
	}{
		{"earlier", base.Add(time.Second), true},
		{"later", base.Add(2 * time.Second), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3}}); err != nil {
				t.Fatal(err)
			}
			mine := Message{ID: msgID(10), DialogID: "d1", SenderID: 7, Body: "mine", SentAt: base.Add(1200 * time.Millisecond)}
			if err := db.EnqueueWritten(ctx, mine); err != nil {
				t.Fatal(err)
			}
			if err := db.SetHidden(ctx, "d1", true); err != nil {
				t.Fatal(err)
			}
			if err := db.MarkSent(ctx, mine.ID, tc.serverTime); err != nil {
				t.Fatal(err)
			}
			d, err := db.Dialog(ctx, "d1")
			if err != nil {
				t.Fatal(err)
			}
			if d.Hidden != tc.hidden || d.LastMessageID != mine.ID || !d.LastMessageAt.Equal(tc.serverTime) {
				t.Fatalf("dialog hidden %v, last %s at %v", d.Hidden, d.LastMessageID, d.LastMessageAt)
			}
		})
	}
}

// A confirmation that moves the last message behind a later pending one hands
// the dialog's last message to that one.
func TestMarkSentHandsTheLastMessageToALaterOne(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3}}); err != nil {
		t.Fatal(err)
	}
	first := Message{ID: msgID(20), DialogID: "d1", SenderID: 7, Body: "first", SentAt: base.Add(2500 * time.Millisecond)}
	second := Message{ID: msgID(10), DialogID: "d1", SenderID: 7, Body: "second", SentAt: base.Add(2200 * time.Millisecond)}
	for _, m := range []Message{second, first} {
		if err := db.EnqueueOutgoing(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if d, _ := db.Dialog(ctx, "d1"); d.LastMessageID != first.ID {
		t.Fatalf("before: last message %s", d.LastMessageID)
	}
	if err := db.MarkSent(ctx, first.ID, base.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if d, _ := db.Dialog(ctx, "d1"); d.LastMessageID != second.ID || !d.LastMessageAt.Equal(second.SentAt) {
		t.Fatalf("after: last message %s at %v, want the still pending one", d.LastMessageID, d.LastMessageAt)
	}
}

// A confirmation never moves a state back: a message a server copy already
// marked read stays read, though it leaves the outbox and takes the given time.
func TestMarkSentKeepsAReadMessageRead(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	m := Message{ID: msgID(1), DialogID: "d1", SenderID: 7, Body: "hello", SentAt: base.Add(300 * time.Millisecond)}
	if err := db.EnqueueWritten(ctx, m); err != nil {
		t.Fatal(err)
	}
	read := m
	read.State, read.ReadIDs = StateRead, []int64{8}
	upsert(t, db, read)
	if err := db.MarkSent(ctx, m.ID, base); err != nil {
		t.Fatal(err)
	}
	got := getMsg(t, db, m.ID)
	if got.State != StateRead || !got.SentAt.Equal(base) || !slices.Equal(got.ReadIDs, []int64{8}) {
		t.Fatalf("message %+v", got)
	}
	if out, err := db.Outbox(ctx); err != nil || len(out) != 0 {
		t.Fatalf("outbox %v, %v", ids(out), err)
	}
}

// Unknown ids: MarkSentAll skips them and confirms the rest; MarkSent reports
// ErrNotFound and writes nothing.
func TestConfirmationOfUnknownIDs(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	m := Message{ID: msgID(1), DialogID: "d1", SenderID: 7, Body: "hello", SentAt: base}
	if err := db.EnqueueOutgoing(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, "nope", base); !errors.Is(err, ErrNotFound) {
		t.Fatalf("MarkSent of an unknown id: %v", err)
	}
	if err := db.MarkSentAll(ctx, []SentMark{{ID: "nope"}, {ID: m.ID}, {ID: "gone", SentAt: base}}); err != nil {
		t.Fatal(err)
	}
	if got := getMsg(t, db, m.ID); got.State != StateSent {
		t.Fatalf("state %s", got.State)
	}
}

// A confirmation does not touch the body, so the message stays findable, before
// and after its search entry is written.
func TestConfirmedMessageStaysSearchable(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for i, body := range []string{"zanzibar itinerary", "zanzibar ferry"} {
		m := Message{ID: msgID(i + 1), DialogID: "d1", SenderID: 7, Body: body, SentAt: base.Add(400 * time.Millisecond)}
		if err := db.EnqueueWritten(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if hits, err := db.Search(ctx, "itinerary", 10); err != nil || len(hits) != 1 {
		t.Fatalf("before: %v, %v", ids(hits), err) // writes the pending entries
	}
	if err := db.MarkSentAll(ctx, []SentMark{{ID: msgID(1), SentAt: base}, {ID: msgID(2), SentAt: base}}); err != nil {
		t.Fatal(err)
	}
	hits, err := db.Search(ctx, "zanzibar", 10)
	if err != nil || len(hits) != 2 {
		t.Fatalf("after: %v, %v", ids(hits), err)
	}
	for _, h := range hits {
		if h.State != StateSent {
			t.Fatalf("hit %s in state %s", h.ID, h.State)
		}
	}
}

// The dialog list can name a pending message before its confirmation (the
// message was queued before the dialog was cached, and the server has it). The
// confirmation then shows the message as the cache holds it: with its sender when
// the server's copy named none, and a dialog hidden before that shows again.
func TestMarkSentWhenTheServersDialogNamesTheMessage(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		hide       bool
		serverUser int64
	}{
		{"no-sender", false, 0},
		{"hidden", true, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			mine := Message{ID: msgID(10), DialogID: "d1", SenderID: 7, Body: "mine", SentAt: base.Add(5 * time.Second)}
			if err := db.EnqueueWritten(ctx, mine); err != nil {
				t.Fatal(err)
			}
			if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3, LastMessageID: msgID(1),
				LastMessage: "older", LastMessageAt: base, LastMessageUserID: 8}}); err != nil {
				t.Fatal(err)
			}
			if err := db.SetHidden(ctx, "d1", tc.hide); err != nil {
				t.Fatal(err)
			}
			if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3, LastMessageID: mine.ID, LastMessage: "mine",
				LastMessageAt: mine.SentAt, LastMessageUserID: tc.serverUser}}); err != nil {
				t.Fatal(err)
			}
			if d, _ := db.Dialog(ctx, "d1"); d.Hidden != tc.hide || d.LastMessageUserID != tc.serverUser {
				t.Fatalf("before: hidden %v, sender %d", d.Hidden, d.LastMessageUserID)
			}
			if err := db.MarkSent(ctx, mine.ID, time.Time{}); err != nil {
				t.Fatal(err)
			}
			d, err := db.Dialog(ctx, "d1")
			if err != nil {
				t.Fatal(err)
			}
			if d.Hidden || d.LastMessageID != mine.ID || d.LastMessageUserID != 7 || !d.LastMessageAt.Equal(mine.SentAt) {
				t.Fatalf("after: hidden %v, last %s by %d at %v", d.Hidden, d.LastMessageID, d.LastMessageUserID, d.LastMessageAt)
			}
		})
	}
}

// A confirmation of a last message deleted meanwhile (nothing else cached in its
// dialog) leaves the dialog as the deletion left it: no text, the same time.
func TestMarkSentOfADeletedLastMessage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3}}); err != nil {
		t.Fatal(err)
	}
	mine := Message{ID: msgID(10), DialogID: "d1", SenderID: 7, Body: "mine", SentAt: base.Add(1500 * time.Millisecond)}
	if err := db.EnqueueWritten(ctx, mine); err != nil {
		t.Fatal(err)
	}
	gone := mine
	gone.State, gone.Deleted = StateSent, true
	upsert(t, db, gone)
	before, err := db.Dialog(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, mine.ID, base); err != nil {
		t.Fatal(err)
	}
	after, err := db.Dialog(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) || after.LastMessage != "" {
		t.Fatalf("dialog %+v, was %+v", after, before)
	}
}
