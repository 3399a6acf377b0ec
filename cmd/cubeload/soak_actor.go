package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cubechat/cubechat/cache"
)

// emojis are the reactions the soak users give.
var emojis = []string{"👍", "❤️", "😂"}

// actor is one user acting through its engine, as a person at the app would: the
// engine's public methods only, whatever the connection is doing.
type actor struct {
	c       *soakClient
	seed    uint64
	r       *rand.Rand
	dialogs []string
	book    *ledger
	rate    float64  // actions per second of this user
	recent  []string // ids of this user's newest messages, oldest first
	n       int      // messages sent
}

// recentKeep is how many of its own newest messages an actor may edit or delete.
const recentKeep = 30

// run acts until ctx ends.
func (a *actor) run(ctx context.Context) {
	for {
		mean := time.Duration(float64(time.Second) / a.rate)
		t := time.NewTimer(randBetween(a.r, mean/2, mean*3/2))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		a.act(ctx)
	}
}

// act does one thing: send (2/3), edit, delete, react or mark read.
func (a *actor) act(ctx context.Context) {
	switch x := a.r.IntN(100); {
	case x < 66:
		a.send(ctx)
	case x < 74:
		a.edit(ctx)
	case x < 79:
		a.delete(ctx)
	case x < 91:
		a.react(ctx)
	default:
		a.markRead(ctx)
	}
}

func (a *actor) send(ctx context.Context) {
	dialogID := a.dialogs[a.r.IntN(len(a.dialogs))]
	a.n++
	body := fmt.Sprintf("m%d.%d.%d message %d from user %d", a.seed, a.c.index, a.n, a.n, a.c.index)
	id, err := a.c.engine.Send(ctx, dialogID, body)
	if err != nil {
		a.book.failed("user %d send to %s: %v", a.c.index, dialogID, err)
		return
	}
	a.book.sent(ledgerMessage{id: id, dialogID: dialogID, sender: a.c.user.ID, body: body})
	a.recent = append(a.recent, id)
	if len(a.recent) > recentKeep {
		a.recent = a.recent[1:]
	}
}

// ownTarget picks one of the user's own recent messages that is not deleted: half
// the time the newest, which is the one most likely still pending.
func (a *actor) ownTarget() (string, bool) {
	for range 5 {
		if len(a.recent) == 0 {
			return "", false
		}
		id := a.recent[len(a.recent)-1]
		if a.r.IntN(2) == 0 {
			id = a.recent[a.r.IntN(len(a.recent))]
		}
		if !a.book.isDeleted(id) {
			return id, true
		}
	}
	return "", false
}

// pending tells whether the cache still holds the message as pending.
func (a *actor) pending(ctx context.Context, id string) bool {
	m, err := a.c.db.Message(ctx, id)
	return err == nil && m.State == cache.StatePending
}

func (a *actor) edit(ctx context.Context) {
	id, ok := a.ownTarget()
	if !ok {
		a.send(ctx)
		return
	}
	pending := a.pending(ctx, id)
	body := fmt.Sprintf("%s edited at %s", messageKey(a.book.body(id)), time.Now().Format("15:04:05.000"))
	if err := a.c.engine.Edit(ctx, id, body); err != nil {
		a.book.failed("user %d edit %s: %v", a.c.index, id, err)
		return
	}
	a.book.edited(id, body, pending)
}

func (a *actor) delete(ctx context.Context) {
	id, ok := a.ownTarget()
	if !ok {
		a.send(ctx)
		return
	}
	pending := a.pending(ctx, id)
	if err := a.c.engine.Delete(ctx, id, true); err != nil {
		a.book.failed("user %d delete %s: %v", a.c.index, id, err)
		return
	}
	a.book.deleted(id, pending)
}

// react toggles a reaction on one of the newest messages of a dialog, anyone's.
func (a *actor) react(ctx context.Context) {
	dialogID := a.dialogs[a.r.IntN(len(a.dialogs))]
	msgs, err := a.c.db.Messages(ctx, dialogID, time.Time{}, "", 20)
	if err != nil {
		a.book.failed("user %d reading %s: %v", a.c.index, dialogID, err)
		return
	}
	var live []cache.Message
	for _, m := range msgs {
		if !m.Deleted && !a.book.isDeleted(m.ID) {
			live = append(live, m)
		}
	}
	if len(live) == 0 {
		a.send(ctx)
		return
	}
	m := live[a.r.IntN(len(live))]
	emoji := emojis[a.r.IntN(len(emojis))]
	// Clicking the emoji the screen shows as mine takes it back; another one
	// becomes my reaction (one per user and message).
	want := emoji
	if slices.Contains(m.ReactionsOf(a.c.user.ID), emoji) {
		want = ""
	}
	if err := a.c.engine.React(ctx, m.ID, emoji); err != nil {
		a.book.failed("user %d react on %s: %v", a.c.index, m.ID, err)
		return
	}
	a.book.reacted(m.ID, a.c.user.ID, want, m.State == cache.StatePending)
}

// markRead opens a dialog and reads it, as clicking its row does.
func (a *actor) markRead(ctx context.Context) {
	dialogID := a.dialogs[a.r.IntN(len(a.dialogs))]
	if err := a.c.engine.MarkRead(ctx, dialogID); err != nil {
		a.book.failed("user %d read %s: %v", a.c.index, dialogID, err)
		return
	}
	a.book.read()
}
