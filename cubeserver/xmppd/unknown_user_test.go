package xmppd

import (
	"encoding/xml"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cube"
	"github.com/xmppo/go-xmpp"
)

// A message to an account that does not exist bounces with service-unavailable
// (RFC 6121 §8.5.1); one to an existing user who is offline is stored and queued.

func TestMessageToUnknownUserPlainClient(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.goxmppLogin(t, "5", "")
	if _, _, err := alice.Send(xmpp.Chat{Remote: "99-1@localhost", Type: "chat", Text: "anyone?"}); err != nil {
		t.Fatal(err)
	}
	got := recvChat(t, alice)
	e := otherElem(got, cube.NSClient, "error")
	if got.Type != "error" || got.Remote != "99-1@localhost" || e == nil || !slices.ContainsFunc(e.Attr, func(a xml.Attr) bool { return a.Value == "503" }) {
		t.Fatalf("want a 503 bounce, got %+v", got)
	}
}

func TestMessageToUnknownUser(t *testing.T) {
	ts := startServer(t, nil)
	alice := ts.login(t, 5, "", true)
	for _, tc := range []struct{ name, stanza string }{
		{"chat", `<message type='chat' to='99-1@localhost' id='u1'><body>x</body><extraParams xmlns='jabber:client'><save_to_history>1</save_to_history></extraParams></message>`},
		{"normal", `<message to='99-1@localhost/res' id='u1'><body>x</body></message>`},
		{"normal typed", `<message type='normal' to='99-1@localhost' id='u1'><body>x</body></message>`},
		{"other app", `<message type='chat' to='6-2@localhost' id='u1'><body>x</body></message>`},
		{"not a user JID", `<message type='chat' to='bob@localhost' id='u1'><body>x</body></message>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alice.write(tc.stanza)
			got := alice.nextMessage()
			if got.Type != cube.ErrorType || got.ID != "u1" || got.Error == nil ||
				got.Error.Condition.XMLName.Local != "service-unavailable" || got.Error.Code != "503" || got.Error.Text != cube.ErrTextNoSuchUser {
				t.Fatalf("want service-unavailable, got %+v (error %+v)", got, got.Error)
			}
		})
	}
	if n := len(ts.backend.stored()); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
	// A headline (a ConnectyCube system message) to nobody is dropped, as before.
	alice.write(`<message type='headline' to='99-1@localhost' id='h1'><body>sys</body></message>`)
	alice.ping("p0")

	// An existing user who is offline: stored and queued, no bounce; a normal message
	// with a body is queued too (RFC 6121 §8.5.2.1.1, XEP-0160).
	alice.write(`<message type='chat' to='7-1@localhost' id='` + cube.NewObjectID() + `'><body>later</body><extraParams xmlns='jabber:client'><save_to_history>1</save_to_history></extraParams></message>`)
	alice.write(`<message to='7-1@localhost' id='n1'><body>plain</body></message>`)
	alice.ping("p1") // a bounce would come before this answer
	if n := len(ts.backend.stored()); n != 1 || ts.backend.queued(7) != 2 {
		t.Fatalf("stored %d, queued %d; want 1 and 2", n, ts.backend.queued(7))
	}
}
