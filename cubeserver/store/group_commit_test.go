package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/testwait"
)

// A group's writes commit together, but a failing write is undone alone.
func TestCommitGroupIsolatesFailures(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	insert := func(uid int64) func(context.Context, *writeTx) error {
		return func(ctx context.Context, tx *writeTx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO user_activity (user_id, active, updated_at) VALUES (?,1,0)`, uid)
			return err
		}
	}
	boom := errors.New("boom")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	batch := []*groupWrite{
		{ctx: ctx, fn: insert(1)},
		// writes, then fails: its row must go with it
		{ctx: ctx, fn: func(ctx context.Context, tx *writeTx) error {
			if err := insert(2)(ctx, tx); err != nil {
				return err
			}
			return boom
		}},
		{ctx: ctx, fn: insert(1)}, // primary key conflict with the first write
		{ctx: cancelled, fn: insert(4)},
		{ctx: ctx, fn: insert(5)},
	}
	for _, w := range batch {
		w.err = make(chan error, 1)
	}
	s.commitGroup(batch)
	var errs []error
	for _, w := range batch {
		errs = append(errs, <-w.err)
	}
	if errs[0] != nil || !errors.Is(errs[1], boom) || errs[2] == nil || !errors.Is(errs[3], context.Canceled) || errs[4] != nil {
		t.Fatalf("errors %v", errs)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT user_id FROM user_activity ORDER BY user_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if fmt.Sprint(got) != "[1 5]" {
		t.Fatalf("committed rows %v, want [1 5]", got)
	}
}

// Many senders storing at once (the case group commit is for) lose nothing, count
// every unread message once, and a refused write does not affect the others.
func TestConcurrentStoresAllCommitted(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const senders, each = 8, 25
	peer := mustUser(t, s, "peer")
	outsider := mustUser(t, s, "outsider")
	var dialogs []*cube.Dialog
	var users []cube.User
	for i := range senders {
		u := mustUser(t, s, fmt.Sprintf("u%d", i))
		d, err := s.FindOrCreatePrivateDialog(ctx, u.ID, peer.ID)
		if err != nil {
			t.Fatal(err)
		}
		users, dialogs = append(users, u), append(dialogs, d)
	}
	var wg sync.WaitGroup
	errs := make(chan error, senders*each)
	for i := range senders {
		wg.Go(func() {
			for range each {
				m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: dialogs[i].ID, SenderID: users[i].ID, Message: "hi"}
				if ok, err := s.StoreChatMessage(ctx, m); err != nil || !ok {
					errs <- fmt.Errorf("sender %d: inserted=%v err=%v", i, ok, err)
				}
				// interleave a refused write from someone outside the dialog
				bad := cube.Message{ID: cube.NewObjectID(), ChatDialogID: dialogs[i].ID, SenderID: outsider.ID, Message: "no"}
				if _, err := s.StoreChatMessage(ctx, bad); !errors.Is(err, ErrNotOccupant) {
					errs <- fmt.Errorf("outsider write: %v, want ErrNotOccupant", err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, d := range dialogs {
		n, err := s.CountMessages(ctx, MessageQuery{DialogID: d.ID, Viewer: peer.ID})
		if err != nil || n != each {
			t.Errorf("dialog %d holds %d messages (%v), want %d", i, n, err, each)
		}
		if u := unreadOf(t, s, d.ID, peer.ID); u != each {
			t.Errorf("dialog %d: peer has %d unread, want %d", i, u, each)
		}
	}
}

func TestGroupedWriteAfterCloseFails(t *testing.T) {
	s := openTest(t)
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	d, err := s.FindOrCreatePrivateDialog(context.Background(), a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = s.StoreChatMessage(context.Background(), cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: a.ID})
	if err == nil {
		t.Fatal("store after Close succeeded")
	}
}

// The committer lingers for more writes only after a group of several (concurrent
// writers); a lone writer's group is committed at once.
func TestGatherLingersOnlyWhileWritesComeTogether(t *testing.T) {
	g := newGroupCommitter()
	g.queue = make(chan *groupWrite) // unbuffered: a send returns once gather took it
	var elapsed atomic.Int64         // what the committer's clock says has passed
	g.now = func() time.Time { return time.Unix(1000, elapsed.Load()) }
	gapOver := make(chan time.Time)
	waiting := make(chan struct{}, 10) // the committer started to wait for a write
	g.after = func(time.Duration) <-chan time.Time {
		waiting <- struct{}{}
		return gapOver
	}
	write := func() *groupWrite { return &groupWrite{ctx: context.Background(), err: make(chan error, 1)} }

	if batch := g.gather(write(), false); len(batch) != 1 {
		t.Fatalf("lone write gathered %d writes", len(batch))
	}

	got := make(chan []*groupWrite, 1)
	go func() { got <- g.gather(write(), true) }()
	send := func(w *groupWrite) {
		t.Helper()
		select {
		case g.queue <- w: // taken
		case <-time.After(10 * time.Second):
			t.Fatal("the lingering committer did not take a write")
		}
	}
	send(write()) // arrive while it lingers
	send(write())
	select {
	case gapOver <- time.Time{}: // then nothing more within the gap
	case <-time.After(10 * time.Second):
		t.Fatal("the committer does not wait for the gap")
	}
	if batch, _ := testwait.Recv(t, "the group", 10*time.Second, got); len(batch) != 3 {
		t.Fatalf("lingering group holds %d writes, want 3", len(batch))
	}

	// Past maxLinger it stops waiting, however fast writes keep coming.
	for len(waiting) > 0 {
		<-waiting
	}
	go func() { got <- g.gather(write(), true) }()
	testwait.Recv(t, "the committer to wait", 10*time.Second, waiting)
	elapsed.Store(int64(maxLinger)) // the linger's time is up
	send(write())
	if batch, _ := testwait.Recv(t, "the group", 10*time.Second, got); len(batch) != 2 {
		t.Fatalf("group past maxLinger holds %d writes, want 2", len(batch))
	}
}

// One goroutine may queue several messages before the first has committed; they are
// stored in the order queued, and each wait answers for its own message.
func TestQueuedMessagesKeepTheirOrder(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	d, err := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	ids := make([]string, n)
	waits := make([]func() (bool, error), n)
	for i := range waits {
		ids[i] = cube.NewObjectID()
		waits[i] = s.StoreChatMessageAsync(ctx, cube.Message{ID: ids[i], ChatDialogID: d.ID, SenderID: a.ID,
			Message: fmt.Sprint(i), DateSent: 1_700_000_000}) // one second: listed in stored order
	}
	dup := s.StoreChatMessageAsync(ctx, cube.Message{ID: ids[0], ChatDialogID: d.ID, SenderID: a.ID, Message: "again"})
	for i, wait := range waits {
		if ok, err := wait(); !ok || err != nil {
			t.Fatalf("message %d: inserted=%v err=%v", i, ok, err)
		}
	}
	if ok, err := dup(); ok || err != nil {
		t.Fatalf("a repeated id: inserted=%v err=%v, want false, nil", ok, err)
	}
	got, err := s.ListMessages(ctx, MessageQuery{DialogID: d.ID, Viewer: b.ID})
	if err != nil || len(got) != n {
		t.Fatalf("listed %d messages, %v", len(got), err)
	}
	for i, m := range got {
		if m.ID != ids[i] {
			t.Fatalf("message %d listed is %s, queued %s", i, m.ID, ids[i])
		}
	}
}

// Writes still queued when the store closes are answered (committed or refused), never
// left waiting.
func TestCloseAnswersQueuedWrites(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	d, err := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	var waits []func() (bool, error)
	for range 100 {
		waits = append(waits, s.StoreChatMessageAsync(ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: a.ID}))
	}
	s.Close()
	answered := make(chan struct{})
	go func() {
		for _, wait := range waits {
			_, _ = wait()
		}
		close(answered)
	}()
	testwait.Recv(t, "every queued write answered", 10*time.Second, answered)
}
