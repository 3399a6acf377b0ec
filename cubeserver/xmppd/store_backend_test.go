package xmppd

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// startStoreServer runs xmppd over the real SQLite store with two users (password
// testPassword) and returns their ids.
func startStoreServer(t *testing.T) (*testServer, *store.Store, int64, int64) {
	t.Helper()
	ts, st, ids := startWrappedStoreServer(t, nil, "alice", "bob")
	return ts, st, ids[0], ids[1]
}

// startWrappedStoreServer is startStoreServer with users of the given logins and,
// when wrap is not nil, the store seen by the server through wrap.
func startWrappedStoreServer(t *testing.T, wrap func(*store.Store) Backend, logins ...string) (*testServer, *store.Store, []int64) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPasswordPolicy(store.CheapPasswordPolicy()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var ids []int64
	for _, login := range logins {
		u, err := st.CreateUser(context.Background(), cube.User{Login: login}, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	var backend Backend = st
	if wrap != nil {
		backend = wrap(st)
	}
	serverTLS, pool := testTLS(t)
	srv := New(Config{Domain: "localhost", AppID: 1, TLS: serverTLS,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}, backend)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln, true) }()
	t.Cleanup(func() { _ = srv.Close() }) // runs before st.Close (cleanups are LIFO)
	ts := &testServer{srv: srv, direct: ln.Addr().String(), clientTL: &tls.Config{RootCAs: pool, ServerName: "localhost"}}
	return ts, st, ids
}

func TestStoreBackedMarkersEditsAndRemoves(t *testing.T) {
	ts, st, aliceID, bobID := startStoreServer(t)
	ctx := context.Background()
	alice := ts.login(t, aliceID, "", true)
	bob := ts.login(t, bobID, "", true)
	bobJID := ts.srv.userJID(bobID)

	first, second := cube.NewObjectID(), cube.NewObjectID()
	alice.writeElem(chat(bobJID, first, "first", saveParam, cube.Param{Name: "date_sent", Value: "1700000000"}))
	dialogID := bob.nextMessage().Extra.Get("dialog_id")
	alice.writeElem(chat(bobJID, second, "second", saveParam, cube.Param{Name: "date_sent", Value: "1700000001"}))
	bob.nextMessage()
	unread := func() int {
		d, err := st.DialogFor(ctx, dialogID, bobID)
		if err != nil {
			t.Fatal(err)
		}
		return *d.UnreadMessagesCount
	}
	if n := unread(); n != 2 {
		t.Fatalf("unread %d", n)
	}

	// displayed → read (and delivered), unread recomputed.
	bob.write(`<message type='chat' to='` + cube.BareJID(alice.jid) + `' id='mk'><displayed xmlns='urn:xmpp:chat-markers:0' id='` + first + `'/></message>`)
	alice.nextMessage()
	m, err := st.Message(ctx, first, aliceID)
	if err != nil || len(m.ReadIDs) != 2 || len(m.DeliveredIDs) != 2 || unread() != 1 {
		t.Fatalf("after displayed: %+v %v, unread %d", m, err, unread())
	}

	// Edit of the last message moves the dialog's last_message too.
	alice.write(`<message type='chat' to='` + bobJID + `' id='e1'><body>second!</body><replace xmlns='urn:xmpp:message-correct:0' id='` + second + `' last='true'/></message>`)
	bob.nextMessage()
	d, _ := st.DialogFor(ctx, dialogID, bobID)
	if m, _ := st.Message(ctx, second, aliceID); m.Message != "second!" || *d.LastMessage != "second!" {
		t.Fatalf("after edit: message %q, last %q", m.Message, *d.LastMessage)
	}

	// Remove of the last message: last_message falls back, unread drops.
	alice.write(`<message type='chat' to='` + bobJID + `' id='r1'><remove xmlns='urn:xmpp:message-delete:0' id='` + second + `'/></message>`)
	bob.nextMessage()
	d, _ = st.DialogFor(ctx, dialogID, bobID)
	if *d.LastMessageID != first || *d.UnreadMessagesCount != 0 {
		t.Fatalf("after remove: last %s unread %d", *d.LastMessageID, *d.UnreadMessagesCount)
	}

	// Bob goes away: alice's next message alerts him, and his last activity is known.
	bob.write(`</stream:stream>`)
	waitOffline(t, ts, bobID)
	third := cube.NewObjectID()
	alice.writeElem(chat(bobJID, third, "are you there?", saveParam))
	alice.ping("p")
	alerts, err := st.ListAlerts(ctx, bobID, 0)
	if err != nil || len(alerts) != 1 || alerts[0].MessageID != third || alerts[0].SenderID != aliceID {
		t.Fatalf("alerts %+v %v", alerts, err)
	}
	if iq := alice.lastOf(bobJID); iq.Type != "result" || iq.payload().attr("seconds") == "" {
		t.Fatalf("last activity %+v", iq)
	}
}
