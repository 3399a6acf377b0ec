package sync

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

func TestOfflineEditAndReactionSurviveARestart(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	id := pr.exchange(a, b, "typo hre")

	// Offline: logged in from the cache's point of view, but not connected.
	a.close()
	a.open()
	if err := a.e.Login(ctx, a.acc.Login, a.acc.password); err != nil {
		t.Fatal(err)
	}
	if err := a.e.Edit(ctx, id, "typo here"); err != nil {
		t.Fatalf("offline Edit: %v", err)
	}
	if err := a.e.React(ctx, id, "✅"); err != nil {
		t.Fatalf("offline React: %v", err)
	}
	m, _ := a.db.Message(ctx, id)
	if m.Body != "typo here" || !m.EditPending || !slices.Equal(m.Reactions["✅"], []int64{a.acc.ID}) {
		t.Fatalf("offline changes not applied locally: %+v", m)
	}
	if q, _ := a.db.Actions(ctx); len(q) != 2 {
		t.Fatalf("queued actions = %d, want 2", len(q))
	}

	a.restart() // the app restarts and comes online
	a.waitFor("the queued actions sent", func() (bool, string) {
		q, err := a.db.Actions(ctx)
		return err == nil && len(q) == 0, fmt.Sprintf("%d queued, %v", len(q), err)
	})
	a.waitMessage(id, "the edit confirmed", func(m cache.Message) bool { return !m.EditPending && m.Body == "typo here" })
	b.waitMessage(id, "the edit at the peer", func(m cache.Message) bool { return m.Body == "typo here" })
	b.waitMessage(id, "the reaction at the peer", func(m cache.Message) bool {
		return slices.Equal(m.Reactions["✅"], []int64{a.acc.ID})
	})

	// The server holds each change once.
	c := pr.h.client(a.acc)
	who, err := c.ListReactions(ctx, id)
	if err != nil || len(who) != 1 || !slices.Equal(who["✅"], []int64{a.acc.ID}) {
		t.Fatalf("server reactions = %v, %v", who, err)
	}
	list, err := c.ListMessages(ctx, cube.MessageFilter{DialogID: pr.dialog, IDIn: []string{id}})
	if err != nil || len(list.Items) != 1 || list.Items[0].Message != "typo here" {
		t.Fatalf("server copy = %+v, %v", list, err)
	}
}

func TestRefusedActionIsUndoneWithANotice(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	id := pr.exchange(a, b, "mine, not yours")
	events, stop := b.e.SubscribeEvents()
	defer stop()

	// Bob may not delete Ann's message for everyone in a private chat.
	if err := b.e.Delete(ctx, id, true); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	waitEvent(t, events, "a notice about the refusal", func(ev Event) bool {
		n, ok := ev.(NoticeEvent)
		return ok && strings.HasPrefix(n.Text, "Delete failed")
	})
	b.waitMessage(id, "the message restored", func(m cache.Message) bool { return !m.Deleted && m.Body == "mine, not yours" })
	if _, err := b.db.Message(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func TestBlockedUsersMessageFailsWithANotice(t *testing.T) {
	pr := newPair(t)
	ctx, a, b := pr.h.ctx, pr.a, pr.b
	pr.exchange(a, b, "before the block")

	if err := a.e.Block(ctx, b.acc.ID, false); err != nil {
		t.Fatalf("Block: %v", err)
	}
	if blocked, mutual, err := a.db.IsBlocked(ctx, b.acc.ID); !blocked || mutual || err != nil {
		t.Fatalf("cache block list: blocked=%v mutual=%v err=%v", blocked, mutual, err)
	}
	events, stop := b.e.SubscribeEvents()
	defer stop()
	id, err := b.e.Send(ctx, pr.dialog, "can you hear me?")
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, events, "the blocked notice", func(ev Event) bool {
		n, ok := ev.(NoticeEvent)
		return ok && strings.Contains(n.Text, "was blocked")
	})
	b.waitMessage(id, "the message failed", func(m cache.Message) bool {
		return m.State == cache.StateFailed && m.LastError == "blocked"
	})
	b.waitOutboxEmpty()
	if _, err := a.db.Message(ctx, id); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("the blocker stored the blocked message: %v", err)
	}

	// After unblocking, the retry goes through.
	if err := a.e.Unblock(ctx, b.acc.ID); err != nil {
		t.Fatalf("Unblock: %v", err)
	}
	if list, _ := a.db.Blocked(ctx); len(list) != 0 {
		t.Fatalf("block list after unblock: %v", list)
	}
	if err := b.e.RetryFailed(ctx, id); err != nil {
		t.Fatal(err)
	}
	b.waitMessage(id, "the retry sent", func(m cache.Message) bool { return m.State.Confirmed() })
	a.waitMessages(pr.dialog, 1, func(m cache.Message) bool { return m.ID == id })

	// The block list is read back on login.
	if err := a.e.Block(ctx, b.acc.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := a.db.SetBlocked(ctx, nil); err != nil { // a cache that lost it
		t.Fatal(err)
	}
	a.restart()
	a.waitFor("the block list read back", func() (bool, string) {
		blocked, mutual, err := a.db.IsBlocked(ctx, b.acc.ID)
		return blocked && mutual, fmt.Sprintf("blocked=%v mutual=%v err=%v", blocked, mutual, err)
	})
}
