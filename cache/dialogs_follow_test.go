package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// storeLiveGeneral is StoreLive as it was before followSQL: every touched dialog
// settled by refreshDialogs. StoreLive must leave the cache exactly as this does.
func storeLiveGeneral(ctx context.Context, db *DB, msgs []Message, countUnread func(Message) bool) error {
	return db.write(ctx, "save live messages (general)", func(tx *txn, ch *Change) error {
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		w.deferIndex(db.idx)
		touched := map[string]map[string]bool{}
		unread := map[string]int{}
		for _, m := range msgs {
			inserted, changed, err := w.upsert(m)
			if err != nil {
				return err
			}
			if inserted && countUnread != nil && countUnread(m) {
				unread[m.DialogID]++
			}
			if changed {
				ch.addMessage(m.DialogID, m.ID)
				if touched[m.DialogID] == nil {
					touched[m.DialogID] = map[string]bool{}
				}
				touched[m.DialogID][m.ID] = true
			}
		}
		return refreshDialogs(ctx, tx, touched, unread, ch)
	})
}

// enqueueWrittenGeneral is EnqueueWritten as it was before followSQL (m has its
// SentAt): the dialog settled by refreshLastMessages.
func enqueueWrittenGeneral(ctx context.Context, db *DB, m Message) error {
	m.State, m.LastError = StatePending, ""
	return db.write(ctx, "queue message (general)", func(tx *txn, ch *Change) error {
		m := normaliseMessage(m)
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		w.deferIndex(db.idx)
		added, err := w.add(m)
		if err != nil {
			return err
		}
		if added {
			return enqueued(ctx, tx, m, true, ch)
		}
		old, err := w.lookup(m.ID)
		if err != nil {
			return err
		}
		return enqueue(ctx, tx, w, old, m, true, ch)
	})
}

// dialogState is what refreshDialogs reads of a dialog, set directly in its row.
type dialogState struct {
	lastID, last     string
	lastAt, lastUser int64
	hiddenAt         int64
	unread           int
}

// followScenario is a random cache state and one live write: server copies in
// crowded seconds (some deleted), pending messages, dialogs whose last message is
// none, a cached message in its second or another, a message not cached, or the
// one about to arrive, at times in the same second as the arrival, before or
// after it; hidden before or after it; a dialog that is not cached; and the
// arriving messages (one, usually; some deleted, some already cached).
type followScenario struct {
	server, pending []Message
	dialogs         map[string]dialogState
	incoming        []Message
	counted         map[string]bool
}

func newFollowScenario(seed uint64) followScenario {
	r := rand.New(rand.NewPCG(seed, 17))
	s := followScenario{dialogs: map[string]dialogState{}, counted: map[string]bool{}}
	dialogIDs := []string{"d1", "d1", "d1", "d2", "d3"}    // d3 is not cached
	id := func() string { return msgID(100 + r.IntN(40)) } // server copies
	pendingID := func() string { return msgID(140 + r.IntN(10)) }
	at := func() time.Time {
		t := base.Add(time.Duration(r.IntN(4)) * time.Second)
		if r.IntN(3) == 0 {
			t = t.Add(time.Duration(1+r.IntN(999)) * time.Millisecond)
		}
		return t
	}
	for range r.IntN(7) {
		s.server = append(s.server, Message{ID: id(), DialogID: dialogIDs[r.IntN(5)], SenderID: int64(7 + r.IntN(2)),
			Body: fmt.Sprintf("server %d", r.IntN(100)), SentAt: at(), Deleted: r.IntN(6) == 0})
	}
	for range r.IntN(3) {
		s.pending = append(s.pending, Message{ID: pendingID(), DialogID: dialogIDs[r.IntN(5)], SenderID: 7,
			Body: fmt.Sprintf("mine %d", r.IntN(100)), SentAt: at()})
	}
	// The arriving messages, decided before the dialogs so that a dialog may name one.
	for range 1 + max(0, r.IntN(6)-3) {
		m := Message{ID: msgID(100 + r.IntN(50)), DialogID: dialogIDs[r.IntN(5)], SenderID: int64(7 + r.IntN(2)),
			Body: fmt.Sprintf("new %d", r.IntN(100)), SentAt: at(), Deleted: r.IntN(8) == 0}
		var crowd []Message // server copies of its dialog: it may arrive in one of their seconds
		for _, c := range s.server {
			if c.DialogID == m.DialogID {
				crowd = append(crowd, c)
			}
		}
		if len(crowd) > 0 && r.IntN(2) == 0 {
			m.SentAt = crowd[r.IntN(len(crowd))].SentAt
		}
		switch r.IntN(10) {
		case 0:
			m.SentAt = time.Time{}
		case 1:
			m.ID = msgID(900 + r.IntN(3)) // above every other id
		case 2:
			m.ID = msgID(10 + r.IntN(3)) // below every other id
		}
		s.incoming = append(s.incoming, m)
		s.counted[m.ID] = r.IntN(3) != 0
	}
	for _, d := range []string{"d1", "d2"} {
		var st dialogState
		var named *Message
		var all []Message
		for _, m := range append(append(s.server, s.pending...), s.incoming...) {
			if m.DialogID == d {
				all = append(all, m)
			}
		}
		switch k := r.IntN(6); {
		case k == 0 || len(all) == 0: // no last message, or one not cached
			if r.IntN(2) == 0 {
				st.lastID, st.last, st.lastAt = msgID(100+r.IntN(40)), "elsewhere", toMillis(at())
			}
		default: // a message of the dialog: cached, or about to arrive
			m := all[r.IntN(len(all))]
			named = &m
		}
		if named != nil {
			st.lastID, st.last, st.lastUser = named.ID, named.Body, named.SenderID
			switch r.IntN(4) {
			case 0: // another second than the cached copy's
				st.lastAt = toMillis(at())
			case 1: // an older text
				st.last, st.lastAt = "older text", toMillis(named.SentAt)
			default:
				st.lastAt = toMillis(named.SentAt)
			}
		}
		switch r.IntN(12) {
		case 0, 1:
			st.lastAt = -1000 // before 1970: refreshDialogs must decide
		case 2:
			st.lastAt = 0
		}
		if r.IntN(2) == 0 {
			st.hiddenAt = toMillis(at())
		}
		st.unread = r.IntN(4)
		s.dialogs[d] = st
	}
	return s
}

func (s followScenario) build(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	if err := db.UpsertDialogs(ctx, []Dialog{{ID: "d1", Type: 3, OccupantIDs: []int64{7, 8}}, {ID: "d2", Type: 2}}); err != nil {
		t.Fatal(err)
	}
	if len(s.server) > 0 {
		upsert(t, db, s.server...)
	}
	for _, m := range s.pending {
		if err := db.EnqueueOutgoing(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	err := db.write(ctx, "set dialogs", func(tx *txn, _ *Change) error {
		for id, st := range s.dialogs {
			if _, err := tx.ExecContext(ctx, `UPDATE dialogs SET last_message = ?, last_message_id = ?,
				last_message_at = ?, last_message_user_id = ?, hidden_at = ?, unread_count = ? WHERE id = ?`,
				st.last, st.lastID, st.lastAt, st.lastUser, st.hiddenAt, st.unread, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// followCounts counts, while a test runs, how often followSQL settled a dialog and
// how often it left it to refreshDialogs.
// Only the writes under comparison are counted (on), not those that build a cache.
type followCounts struct {
	on            bool
	settled, left int
}

func countFollows(t *testing.T) *followCounts {
	c := &followCounts{}
	followTrace = func(_ string, settled bool) {
		switch {
		case !c.on:
		case settled:
			c.settled++
		default:
			c.left++
		}
	}
	t.Cleanup(func() { followTrace = nil })
	return c
}

// StoreLive and EnqueueWritten, which settle a dialog with one new message in one
// statement (followSQL), leave every row and publish every change exactly as the
// general refreshDialogs does, over many random dialog states and arrivals. Both
// followSQL's outcomes must occur often, or the comparison says little.
func TestNewMessageSettlesItsDialogAsTheGeneralRefresh(t *testing.T) {
	counts := countFollows(t)
	var storeChanged, queueChanged int // writes whose general path changed a dialog row
	const seeds = 150
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			store, queue := checkFollow(t, newFollowScenario(seed), counts)
			if store {
				storeChanged++
			}
			if queue {
				queueChanged++
			}
		})
	}
	t.Logf("followSQL settled %d dialogs and left %d; the general path changed a dialog in %d stores and %d queueings of %d",
		counts.settled, counts.left, storeChanged, queueChanged, seeds)
	if counts.settled < seeds/2 || counts.left < seeds/10 || storeChanged < seeds/3 || queueChanged < seeds/3 {
		t.Fatal("too few of the cases under comparison")
	}
}

// checkFollow runs s's arrivals through StoreLive and its first arrival through
// EnqueueWritten, each on two identical caches, the old way on one and the new way
// on the other, and fails unless both leave the same rows and publish the same
// change. It reports whether the general path changed a dialog in each.
func checkFollow(t *testing.T, s followScenario, counts *followCounts) (storeChanged, queueChanged bool) {
	t.Helper()
	ctx := context.Background()
	count := func(m Message) bool { return s.counted[m.ID] }
	general, narrow := openTest(t), openTest(t)
	s.build(t, general)
	s.build(t, narrow)
	if !reflect.DeepEqual(cacheDump(t, general), cacheDump(t, narrow)) {
		t.Fatal("the two caches differ before the write")
	}
	want, werr := confirmAndWatch(t, general, func() error { return storeLiveGeneral(ctx, general, s.incoming, count) })
	got, gerr := confirmAndWatch(t, narrow, func() error {
		counts.on = true
		defer func() { counts.on = false }()
		_, err := narrow.StoreLive(ctx, s.incoming, count)
		return err
	})
	if werr != nil || gerr != nil {
		t.Fatalf("StoreLive: general %v, narrow %v", werr, gerr)
	}
	compareConfirmed(t, general, narrow, want, got)
	if len(want.Dialogs) > 0 {
		storeChanged = true
	}

	// The first arrival as the user's own message, queued while live.
	m := s.incoming[0]
	m.SenderID, m.Deleted = 7, false
	if m.SentAt.IsZero() {
		m.SentAt = base.Add(1500 * time.Millisecond)
	}
	general, narrow = openTest(t), openTest(t)
	s.build(t, general)
	s.build(t, narrow)
	want, werr = confirmAndWatch(t, general, func() error { return enqueueWrittenGeneral(ctx, general, m) })
	got, gerr = confirmAndWatch(t, narrow, func() error {
		counts.on = true
		defer func() { counts.on = false }()
		return narrow.EnqueueWritten(ctx, m)
	})
	if (werr == nil) != (gerr == nil) { // an id already sent is refused
		t.Fatalf("EnqueueWritten: general %v, narrow %v", werr, gerr)
	}
	compareConfirmed(t, general, narrow, want, got)
	if len(want.Dialogs) > 0 {
		queueChanged = true
	}
	return storeChanged, queueChanged
}

// The edges the random states reach seldom, each through the same comparison.
func TestNewMessageSettlesItsDialogAsTheGeneralRefreshAtTheEdges(t *testing.T) {
	counts := countFollows(t)
	second := base.Add(2 * time.Second)
	cached := Message{ID: msgID(120), DialogID: "d1", SenderID: 8, Body: "cached", SentAt: second}
	for _, tc := range []struct {
		name string
		s    followScenario
	}{
		{"zero-time-arrival-after-a-last-message-before-1970", followScenario{
			dialogs:  map[string]dialogState{"d1": {lastID: msgID(130), last: "old", lastAt: -1000, lastUser: 8}},
			incoming: []Message{{ID: msgID(110), DialogID: "d1", SenderID: 8, Body: "new"}},
			counted:  map[string]bool{msgID(110): true},
		}},
		{"arrival-before-1970-after-a-last-message-at-zero", followScenario{
			dialogs:  map[string]dialogState{"d1": {lastID: msgID(130), last: "old", lastUser: 8}},
			incoming: []Message{{ID: msgID(110), DialogID: "d1", SenderID: 8, Body: "new", SentAt: time.UnixMilli(-1000)}},
			counted:  map[string]bool{msgID(110): true},
		}},
		{"same-second-below-a-cached-last-message", followScenario{
			server:   []Message{cached},
			dialogs:  map[string]dialogState{"d1": {lastID: cached.ID, last: cached.Body, lastAt: toMillis(second), lastUser: 8}},
			incoming: []Message{{ID: msgID(110), DialogID: "d1", SenderID: 8, Body: "new", SentAt: second}},
			counted:  map[string]bool{msgID(110): true},
		}},
		{"same-second-below-a-last-message-cached-in-another-second", followScenario{
			server:   []Message{{ID: cached.ID, DialogID: "d1", SenderID: 8, Body: "cached", SentAt: base}},
			dialogs:  map[string]dialogState{"d1": {lastID: cached.ID, last: cached.Body, lastAt: toMillis(second), lastUser: 8}},
			incoming: []Message{{ID: msgID(110), DialogID: "d1", SenderID: 8, Body: "new", SentAt: second}},
			counted:  map[string]bool{msgID(110): true},
		}},
		{"same-second-below-a-last-message-cached-in-another-dialog", followScenario{
			server:   []Message{{ID: cached.ID, DialogID: "d2", SenderID: 8, Body: "cached", SentAt: second}},
			dialogs:  map[string]dialogState{"d1": {lastID: cached.ID, last: cached.Body, lastAt: toMillis(second), lastUser: 8}},
			incoming: []Message{{ID: msgID(110), DialogID: "d1", SenderID: 8, Body: "new", SentAt: second}},
			counted:  map[string]bool{msgID(110): true},
		}},
		{"no-last-message-id-but-a-later-time", followScenario{
			dialogs:  map[string]dialogState{"d1": {lastAt: toMillis(second), lastUser: 8}},
			incoming: []Message{{ID: msgID(110), DialogID: "d1", SenderID: 8, Body: "new", SentAt: base}},
			counted:  map[string]bool{msgID(110): true},
		}},
		{"same-second-below-a-last-message-not-cached", followScenario{
			dialogs:  map[string]dialogState{"d1": {lastID: msgID(130), last: "elsewhere", lastAt: toMillis(second), lastUser: 8}},
			incoming: []Message{{ID: msgID(110), DialogID: "d1", SenderID: 8, Body: "new", SentAt: second}},
			counted:  map[string]bool{msgID(110): true},
		}},
		{"older-arrival-under-a-hidden-dialog-showing-its-newest", followScenario{
			server: []Message{cached},
			dialogs: map[string]dialogState{"d1": {lastID: cached.ID, last: cached.Body, lastAt: toMillis(second),
				lastUser: 8, hiddenAt: toMillis(base)}},
			incoming: []Message{{ID: msgID(110), DialogID: "d1", SenderID: 8, Body: "new", SentAt: base}},
		}},
		{"the-dialog-already-names-the-arrival", followScenario{
			dialogs: map[string]dialogState{"d1": {lastID: msgID(110), last: "new", lastAt: toMillis(second),
				lastUser: 8, unread: 2}},
			incoming: []Message{{ID: msgID(110), DialogID: "d1", SenderID: 8, Body: "new", SentAt: second}},
			counted:  map[string]bool{msgID(110): true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkFollow(t, tc.s, counts) })
	}
	if counts.settled == 0 || counts.left == 0 {
		t.Fatalf("followSQL settled %d and left %d", counts.settled, counts.left)
	}
}
