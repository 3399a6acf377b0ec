package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
	csync "github.com/cubechat/cubechat/sync"
)

// e2e is Alice in the UI and Bob as a bare engine, both signed in to an in-process
// cubeserver, with their private dialog open in Alice's window.
type e2e struct {
	ctx      context.Context
	u        *UI
	chat     *chatPane
	aliceDB  *cache.DB
	bobDB    *cache.DB
	bob      *csync.Engine
	bobID    int64
	dialogID string
	engine   *csync.Engine // Alice's
	srv      *cubeserver.Server
	aliceID  int64
}

func startE2E(t *testing.T) *e2e {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	srv, err := cubeserver.Start(ctx, cubeserver.Config{DataDir: t.TempDir(),
		HTTPAddr: "127.0.0.1:0", XMPPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0",
		PasswordPolicy: new(store.CheapPasswordPolicy())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	alice, err := srv.Store().CreateUser(ctx, cube.User{Login: "alice", FullName: "Alice"}, "alice-pass")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := srv.Store().CreateUser(ctx, cube.User{Login: "bob", FullName: "Bob"}, "bob-pass")
	if err != nil {
		t.Fatal(err)
	}
	profile := csync.Profile{Name: "test", APIURL: srv.HTTPURL(), ChatHost: srv.XMPPTLSAddr(),
		ChatDomain: srv.Domain(), ChatTLS: "tls", AppID: srv.AppID(), AuthKey: srv.AuthKey(),
		AuthSecret: srv.AuthSecret(), CertPEM: srv.CertPEM()}

	x := &e2e{ctx: ctx, bobID: bob.ID, srv: srv, aliceID: alice.ID}
	x.bobDB = openCache(t)
	x.bob = csync.New(x.bobDB, profile, nil)
	if err := x.bob.Login(ctx, "bob", "bob-pass"); err != nil {
		t.Fatal(err)
	}
	x.bob.Start(ctx)
	t.Cleanup(x.bob.Stop)

	x.aliceDB = openCache(t)
	x.u = newTestUI(t, Deps{
		Cache:     x.aliceDB,
		NewEngine: func(p csync.Profile) *csync.Engine { return csync.New(x.aliceDB, p, nil) },
		Demo:      &DemoLogin{Profile: profile, Login: "alice", Password: "alice-pass"},
	})
	waitFor(t, "sign-in", 20*time.Second, func() bool { return x.u.Engine() != nil })
	x.engine = x.u.Engine()
	waitFor(t, "the chat connection", 20*time.Second, func() bool { return x.engine.Status().State == csync.StateReady })
	waitFor(t, "Bob's chat connection", 20*time.Second, func() bool { return x.bob.Status().State == csync.StateReady })

	x.dialogID, err = x.engine.CreateDialog(ctx, cube.DialogPrivate, "", []int64{bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	var m *mainScreen
	onUI(func() { m = x.u.main })
	waitFor(t, "the dialog in the list", 10*time.Second, func() bool {
		var found bool
		onUI(func() { found = m.selectDialog(x.dialogID) })
		return found
	})
	x.chat = m.chat
	// The title names the peer once the engine has stored Bob's profile.
	waitFor(t, "the chat header", 10*time.Second, func() bool {
		var ok bool
		onUI(func() { ok = x.chat.dialog.ID == x.dialogID && x.chat.header.title.Text == "Bob" })
		return ok
	})
	return x
}

// bobMessage waits for Bob's cache to hold a message of the dialog matching cond.
func (x *e2e) bobMessage(t *testing.T, what string, cond func(cache.Message) bool) cache.Message {
	t.Helper()
	var found cache.Message
	waitFor(t, what, 20*time.Second, func() bool {
		msgs, err := x.bobDB.Messages(x.ctx, x.dialogID, time.Time{}, "", 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if cond(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// TestComposerMessageReachesPeer drives the whole client: the UI signs Alice in to an
// in-process cubeserver, opens her dialog with Bob, types into the composer and presses
// Enter; Bob's engine, with its own cache, must store the message.
func TestComposerMessageReachesPeer(t *testing.T) {
	x := startE2E(t)
	u, chat, bobDB, ctx, dialogID := x.u, x.chat, x.bobDB, x.ctx, x.dialogID

	// The window loses and regains focus; the server learns both (markInactive, then
	// markActive), which decides whether it sends Alice chat alerts.
	lc, ok := u.fyneApp.Lifecycle().(interface {
		OnEnteredForeground() func()
		OnExitedForeground() func()
	})
	if !ok {
		t.Fatal("the test app's lifecycle cannot fire foreground callbacks")
	}
	serverActive := func() bool {
		v, err := x.srv.Store().UserActive(ctx, x.aliceID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	lc.OnExitedForeground()()
	waitFor(t, "the server to see Alice inactive", 10*time.Second, func() bool { return !serverActive() })
	lc.OnEnteredForeground()()
	waitFor(t, "the server to see Alice active again", 10*time.Second, serverActive)

	onUI(func() {
		u.Window().Canvas().Focus(chat.composer)
		test.Type(chat.composer, "hello Bob")
		chat.composer.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
		chat.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		chat.composer.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
		test.Type(chat.composer, "from the UI")
		chat.composer.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	const want = "hello Bob\nfrom the UI"

	waitFor(t, "Bob's cache to store the message", 20*time.Second, func() bool {
		msgs, err := bobDB.Messages(ctx, dialogID, time.Time{}, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range msgs {
			if msg.Body == want {
				return true
			}
		}
		return false
	})
	waitFor(t, "the composer to clear", 5*time.Second, func() bool {
		var text string
		onUI(func() { text = chat.composer.Text })
		return text == ""
	})
	waitFor(t, "Alice's history to show the message", 5*time.Second, func() bool {
		var ok bool
		onUI(func() {
			h := chat.history
			ok = len(h.rows) > 0 && strings.Contains(h.rows[len(h.rows)-1].Body, "from the UI") && h.rows[len(h.rows)-1].Mine
		})
		return ok
	})
}
