package sync

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// TestSenderLearnsEveryReadTheServerRecords: while the reader's chat is down (REST
// up), the sender sends more, which the reader has not received; then the reader opens
// the dialog, so the read is queued for its markers. Once the reader is back, the
// sender — connected all along, so no catch-up of its own — must show exactly the
// reads the server recorded: the messages shown are read on both sides, and the ones
// the reader never had when it read are read on neither (the soak found such messages
// read on the server, by a REST read of the whole dialog, and unread in the sender's
// cache, since no marker ever went for them).
func TestSenderLearnsEveryReadTheServerRecords(t *testing.T) {
	h, a, b, dialog, seen := readPair(t, 2)
	b.chat.block()
	b.waitFor("the chat down", func() (bool, string) {
		s := b.e.Status()
		return s.State != StateReady, fmt.Sprintf("%+v", s)
	})
	var unseen []string
	for i := range 2 {
		id, err := a.e.Send(h.ctx, dialog, fmt.Sprintf("sent while bob is away %d", i))
		if err != nil {
			t.Fatal(err)
		}
		unseen = append(unseen, id)
	}
	if err := b.e.MarkRead(h.ctx, dialog); err != nil {
		t.Fatal(err)
	}
	// Bob's window goes to the background: what arrives later is not read on screen.
	b.e.SetFocused(false)
	a.waitOutboxEmpty()
	b.chat.unblock()
	b.e.ReconnectNow()
	b.waitMessages(dialog, 4, func(m cache.Message) bool { return m.SenderID == a.acc.ID })
	b.waitSynced()
	b.waitFor("no queued actions", func() (bool, string) {
		q, err := b.db.Actions(h.ctx)
		return err == nil && len(q) == 0, fmt.Sprintf("%d queued, %v", len(q), err)
	})
	waitAllRead(t, h, a, dialog, seen, b.acc.ID)

	// The sender's cache and the server agree on every message's reader.
	all := append(slices.Clone(seen), unseen...)
	poll(t, "the sender's read markers matching the server's", func() (bool, string) {
		list, err := h.client(a.acc).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog, Limit: 100})
		if err != nil {
			return false, err.Error()
		}
		var diff []string
		for _, s := range list.Items {
			if !slices.Contains(all, s.ID) {
				continue
			}
			m, err := a.db.Message(h.ctx, s.ID)
			if err != nil {
				return false, err.Error()
			}
			if onServer, cached := slices.Contains(s.ReadIDs, b.acc.ID), slices.Contains(m.ReadIDs, b.acc.ID); onServer != cached {
				diff = append(diff, fmt.Sprintf("%s read by bob on the server %v, in ann's cache %v", s.ID, onServer, cached))
			}
		}
		return len(diff) == 0, fmt.Sprint(diff)
	})
}

// TestReadMarkersLostInACutAreSentAgain: the reader's REST read reaches the server,
// but the chat connection dies with its read markers still in flight, so the server
// never relays them. The sender, connected all along, must still see its messages
// read: the reader does not count markers as told until the server has answered
// after them, and sends them again on its next connection.
func TestReadMarkersLostInACutAreSentAgain(t *testing.T) {
	h, a, b, dialog, sent := readPair(t, 3)
	b.chat.dropOn("urn:xmpp:chat-markers:0")
	if err := b.e.MarkRead(h.ctx, dialog); err != nil {
		t.Fatal(err)
	}
	if n := serverUnread(t, h, h.client(b.acc), dialog); n != 0 {
		t.Fatalf("the server counts %d unread after the REST read", n)
	}
	if b.chat.cutCount() != 1 {
		t.Fatalf("the markers were not cut: %d cuts", b.chat.cutCount())
	}
	waitAllRead(t, h, a, dialog, sent, b.acc.ID)
}

// TestStaleUnreadCountAfterAReadIsCorrected: a live unread refresh answered just
// before the reader's read reached the server writes the old count over the zero
// MarkRead set (the soak saw "shows 8 unread, the server counts 0" for good). The
// count written here stands for that stale answer; with no further traffic in the
// dialog, the cache must come back to the server's count.
func TestStaleUnreadCountAfterAReadIsCorrected(t *testing.T) {
	h, _, b, dialog, _ := readPair(t, 3)
	if err := b.e.MarkRead(h.ctx, dialog); err != nil {
		t.Fatal(err)
	}
	if err := b.db.SetUnread(h.ctx, dialog, 3); err != nil { // the stale refresh
		t.Fatal(err)
	}
	b.waitFor("the server's count in bob's cache", func() (bool, string) {
		d, err := b.db.Dialog(h.ctx, dialog)
		return err == nil && d.UnreadCount == 0, fmt.Sprintf("%+v %v", d, err)
	})
}

// TestOnScreenReadLostInACutReachesTheServer: a message arrives in the dialog on
// screen, so the reader sends its read marker at once and shows it read; the chat
// dies with that marker in flight. The server must still come to count it read, and
// the sender to see it read (the soak found "read by itself=true, the server says
// false").
func TestOnScreenReadLostInACutReachesTheServer(t *testing.T) {
	h, a, b, dialog, sent := readPair(t, 1)
	if err := b.e.MarkRead(h.ctx, dialog); err != nil {
		t.Fatal(err)
	}
	waitAllRead(t, h, a, dialog, sent, b.acc.ID)
	b.chat.dropOn("<displayed")
	id, err := a.e.Send(h.ctx, dialog, "arrives on screen")
	if err != nil {
		t.Fatal(err)
	}
	b.waitMessage(id, "read on screen", func(m cache.Message) bool { return slices.Contains(m.ReadIDs, b.acc.ID) })
	poll(t, "the marker cut", func() (bool, string) {
		return b.chat.cutCount() == 1, fmt.Sprintf("%d cuts", b.chat.cutCount())
	})
	waitAllRead(t, h, a, dialog, []string{id}, b.acc.ID)
}
