package app

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/widgets"
)

// menuButton matches the message menu's button labelled text.
func menuButton(text string) func(fyne.CanvasObject) bool {
	return func(o fyne.CanvasObject) bool {
		b, ok := o.(*widget.Button)
		return ok && b.Text == text
	}
}

// bobWrites has Bob send text in the e2e dialog and waits for it in Alice's history.
func bobWrites(t *testing.T, x *e2e, text string) string {
	t.Helper()
	if id, err := x.bob.CreateDialog(x.ctx, dialogPrivate, "", []int64{x.aliceID}); err != nil || id != x.dialogID {
		t.Fatalf("Bob's dialog %q, %v", id, err)
	}
	id, err := x.bob.Send(x.ctx, x.dialogID, text)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Bob's message in Alice's history", 20*time.Second, func() bool {
		var ok bool
		onUI(func() { _, ok = x.chat.history.messageByID(id) })
		return ok
	})
	return id
}

// Reply: the menu's Reply shows the quote over the composer (Esc cancels it); the
// message sent carries the quote to Bob in its custom parameters; Alice's bubble draws
// the quote, and tapping it scrolls to the original.
func TestReplyWithQuoteReachesPeer(t *testing.T) {
	x := startE2E(t)
	orig := bobWrites(t, x, "Shall we meet at the station\nat nine?")

	tapMenu(t, x, orig, menuButton("Reply"))
	onUI(func() {
		if !x.chat.reply.box.Visible() || x.chat.reply.quote.Sender() != "Bob" ||
			x.chat.reply.quote.Text() != "Shall we meet at the station at nine?" {
			t.Fatalf("reply chip: visible %v, %q: %q", x.chat.reply.box.Visible(), x.chat.reply.quote.Sender(), x.chat.reply.quote.Text())
		}
		x.chat.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if x.chat.reply.active() || x.chat.reply.box.Visible() {
			t.Fatal("Esc does not cancel the reply")
		}
	})
	tapMenu(t, x, orig, menuButton("Reply"))
	onUI(func() {
		test.Type(x.chat.composer, "yes, see you")
		x.chat.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	got := x.bobMessage(t, "the reply in Bob's cache", func(m cache.Message) bool { return m.Body == "yes, see you" })
	want := map[string]string{paramReplyID: orig, paramReplySender: strconv.FormatInt(x.bobID, 10),
		paramReplyText: "Shall we meet at the station at nine?"}
	for k, v := range want {
		if got.Custom[k] != v {
			t.Errorf("Bob's copy: %s = %v, want %q", k, got.Custom[k], v)
		}
	}
	waitFor(t, "the quote in Alice's bubble", 10*time.Second, func() bool {
		var ok bool
		onUI(func() {
			for _, r := range x.chat.history.rows {
				if r.ID == got.ID && r.Quote != nil && r.Quote.ID == orig && r.Quote.Sender == "Bob" {
					ok = true
				}
			}
		})
		return ok
	})
	onUI(func() {
		if x.chat.reply.active() {
			t.Error("the reply chip stays after sending")
		}
		b := widgets.NewMessageBubble()
		b.OnQuote = func(id string) { x.chat.jumpToMessage(id) }
		row, _ := x.chat.history.messageByID(got.ID)
		rows := historyRows([]cache.Message{row}, x.aliceID, false, x.chat.m.users, time.Now(), time.Local)
		b.Update(rows[0])
		x.chat.history.target = ""
		b.TapQuote()
		// The original is loaded, so reveal scrolled to it at once and cleared its target.
		if x.chat.history.target != "" {
			t.Error("tapping the quote did not jump to the original")
		}
	})
}

// Forward: the picker lists chats; Enter sends a copy to the first match, marked as
// forwarded, and opens that chat. Pin: the menu pins, the bar under the header shows
// the message, a click on it jumps there, Bob's client learns the pin at once, and ×
// unpins.
func TestForwardAndPin(t *testing.T) {
	x := startE2E(t)
	orig := bobWrites(t, x, "the door code is 4711")
	group, err := x.engine.CreateDialog(x.ctx, cube.DialogGroup, "Climbing", []int64{x.bobID})
	if err != nil {
		t.Fatal(err)
	}
	cv := x.u.Window().Canvas()
	waitFor(t, "the group in the list", 10*time.Second, func() bool {
		var n int
		onUI(func() { n = len(x.chat.m.dialogs) })
		return n == 2
	})

	tapMenu(t, x, orig, menuButton("Forward"))
	onUI(func() {
		if cv.Overlays().Top() == nil {
			t.Fatal("Forward opened no chat picker")
		}
		test.Type(cv.Focused(), "climb")
		typeKey(cv, fyne.KeyReturn)
	})
	var fwd cache.Message
	waitFor(t, "the copy in the group at Bob's", 20*time.Second, func() bool {
		msgs, _ := x.bobDB.Messages(x.ctx, group, time.Time{}, "", 5)
		for _, m := range msgs {
			if m.Body == "the door code is 4711" && m.Custom[paramForwardID] == orig {
				fwd = m
				return true
			}
		}
		return false
	})
	if fwd.Custom[paramForwardName] != "Bob" || fwd.Custom[paramForwardSender] != strconv.FormatInt(x.bobID, 10) {
		t.Errorf("forward parameters %v", fwd.Custom)
	}
	waitFor(t, "the group open with the forwarded line", 10*time.Second, func() bool {
		var ok bool
		onUI(func() {
			for _, r := range x.chat.history.rows {
				ok = ok || (x.chat.dialog.ID == group && r.Forwarded == "Forwarded from Bob")
			}
		})
		return ok
	})

	// Back in the private chat: pin Bob's message.
	onUI(func() { x.chat.m.selectDialog(x.dialogID) })
	waitFor(t, "the private chat's history", 10*time.Second, func() bool {
		var ok bool
		onUI(func() { _, ok = x.chat.history.messageByID(orig) })
		return ok
	})
	tapMenu(t, x, orig, menuButton("Pin"))
	waitFor(t, "the pinned bar", 10*time.Second, func() bool {
		var text string
		onUI(func() { text = x.chat.pinned.Text() })
		return text == "Pinned message: the door code is 4711"
	})
	d, err := x.aliceDB.Dialog(x.ctx, x.dialogID)
	if err != nil || !slices.Equal(d.PinnedMessageIDs, []string{orig}) {
		t.Fatalf("Alice's cached dialog pins %v, %v", d.PinnedMessageIDs, err)
	}
	onUI(func() {
		x.chat.history.target = ""
		x.chat.pinned.tapped()
		if x.chat.history.target != "" {
			t.Error("the pinned bar did not jump to the message")
		}
		acts := availableExtraActions(mustMessage(t, x, orig), x.chat.dialog, x.aliceID)
		if acts.Pin || !acts.Unpin {
			t.Errorf("a pinned message offers %+v", acts)
		}
	})
	waitFor(t, "the pin in Bob's cache (announced)", 20*time.Second, func() bool {
		d, err := x.bobDB.Dialog(x.ctx, x.dialogID)
		return err == nil && slices.Equal(d.PinnedMessageIDs, []string{orig})
	})

	onUI(func() { test.Tap(x.chat.pinned.unpin) })
	waitFor(t, "the bar gone after unpinning", 10*time.Second, func() bool {
		var text string
		onUI(func() { text = x.chat.pinned.Text() })
		return text == ""
	})
}

func mustMessage(t *testing.T, x *e2e, id string) cache.Message {
	t.Helper()
	m, ok := x.chat.history.messageByID(id)
	if !ok {
		t.Fatalf("message %s is not shown", id)
	}
	return m
}
