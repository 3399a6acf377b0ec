package demo

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// TestDemoSeedsOnceAndPeersAnswer starts the workspace twice on one directory: the first
// start seeds users, dialogs and a few hundred messages; the second finds them and adds
// nothing. A colleague answers a message from the demo user over real XMPP.
func TestDemoSeedsOnceAndPeersAnswer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()

	d, err := Start(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	me, err := d.Server.Store().UserByLogin(ctx, Login)
	if err != nil {
		t.Fatal(err)
	}
	dialogs, total, err := d.Server.Store().ListDialogs(ctx, store.DialogQuery{UserID: me.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(colleagues)+len(groups) {
		t.Fatalf("seeded %d dialogs, want %d", total, len(colleagues)+len(groups))
	}
	public, _, err := d.Server.Store().ListDialogs(ctx, store.DialogQuery{UserID: me.ID, Types: []int{cube.DialogPublic}})
	if err != nil || len(public) != 1 || public[0].Name != publicChat.Name {
		t.Fatalf("the demo user browses public chats: %+v, %v", public, err)
	}
	messages := countMessages(ctx, t, d, me.ID, dialogs)
	if messages < 200 {
		t.Fatalf("seeded only %d messages, want a few hundred", messages)
	}
	unread := 0
	for _, dl := range dialogs {
		if dl.UnreadMessagesCount != nil {
			unread += *dl.UnreadMessagesCount
		}
	}
	if unread == 0 || unread > 20 {
		t.Fatalf("demo user has %d unread messages, want a few", unread)
	}
	d.Close()

	d, err = Start(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dialogs2, total2, err := d.Server.Store().ListDialogs(ctx, store.DialogQuery{UserID: me.ID, Limit: 100})
	if err != nil || total2 != total {
		t.Fatalf("after restart: %d dialogs (err %v), want %d", total2, err, total)
	}
	if again := countMessages(ctx, t, d, me.ID, dialogs2); again != messages {
		t.Fatalf("after restart: %d messages, want %d", again, messages)
	}

	// Dana writes to Alice; Alice answers in the same dialog.
	var private *cube.Dialog
	alice, _ := d.Server.Store().UserByLogin(ctx, "alice")
	for i := range dialogs2 {
		if dialogs2[i].Type == cube.DialogPrivate && contains(dialogs2[i].OccupantsIDs, alice.ID) {
			private = &dialogs2[i]
		}
	}
	if private == nil {
		t.Fatal("no private dialog with alice")
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(d.Server.CertPEM())
	chat := cube.NewChat(cube.Config{AppID: d.Server.AppID(), ChatHost: d.Server.XMPPAddr(),
		ChatDomain: d.Server.Domain(), ChatTLS: cube.ChatStartTLS, RootCAs: pool},
		cube.ChatOptions{UserID: me.ID, Password: Password})
	if err := chat.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer chat.Disconnect()
	sent, err := chat.SendMessage(ctx, cube.OutgoingMessage{DialogID: private.ID, DialogType: cube.DialogPrivate,
		RecipientID: alice.ID, Body: "Hi Alice, how are you?", SaveToHistory: true})
	if err != nil {
		t.Fatal(err)
	}
	// Alice reads it, types, and answers: the demo feels like a person on the other side.
	var read, typing bool
	for {
		select {
		case <-ctx.Done():
			t.Fatalf("alice did not read (%v), type (%v) and answer", read, typing)
		case ev := <-chat.Events():
			switch e := ev.(type) {
			case cube.MarkerEvent:
				read = read || (e.Kind == cube.MarkerRead && e.MessageID == sent.ID && e.UserID == alice.ID)
			case cube.TypingEvent:
				typing = typing || (e.Typing && e.UserID == alice.ID)
			case cube.MessageEvent:
				if e.Message.SenderID == alice.ID && e.Message.ChatDialogID == private.ID {
					if e.Message.Message == "" || !read || !typing {
						t.Fatalf("answer %q came before the read marker (%v) or typing (%v)", e.Message.Message, read, typing)
					}
					return
				}
			}
		}
	}
}

func countMessages(ctx context.Context, t *testing.T, d *Demo, viewer int64, dialogs []cube.Dialog) int {
	t.Helper()
	n := 0
	for _, dl := range dialogs {
		c, err := d.Server.Store().CountMessages(ctx, store.MessageQuery{DialogID: dl.ID, Viewer: viewer})
		if err != nil {
			t.Fatal(err)
		}
		n += c
	}
	return n
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestReplyFitsTheMessage(t *testing.T) {
	cases := []struct {
		in   string
		pool []string
	}{
		{"Hello there", greetings},
		{"hey!", greetings},
		{"Are we still on for today?", answers},
		{"I pushed the fix", chatter},
		{"history is long", chatter}, // "hi" only as a word
	}
	for _, c := range cases {
		got := replyTo(c.in)
		found := false
		for _, p := range c.pool {
			found = found || p == got
		}
		if !found {
			t.Errorf("replyTo(%q) = %q, not from the expected pool", c.in, got)
		}
	}
}
