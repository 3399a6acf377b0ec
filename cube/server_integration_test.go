package cube_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/rest"
	"github.com/cubechat/cubechat/cubeserver/store"
	"github.com/cubechat/cubechat/cubeserver/xmppd"
)

// fixture is the project's real server parts on real sockets: the XMPP daemon on a
// STARTTLS and a direct-TLS port, and the REST handler over HTTP, sharing one store.
// The configs differ in transport; both pin the throwaway certificate.
type fixture struct {
	startTLS, directTLS cube.Config
	store               *store.Store
}

const (
	testAuthKey    = "AK"
	testAuthSecret = "SECRET"
)

func serverFixture(t *testing.T) fixture {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cube test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(leaf)

	st, err := store.Open(filepath.Join(t.TempDir(), "cube.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := xmppd.New(xmppd.Config{TLS: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}}, st)
	t.Cleanup(func() { srv.Close() })
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	direct, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(plain, false)
	go srv.Serve(direct, true)
	api := httptest.NewServer(rest.New(rest.Config{AppID: 1, AuthKey: testAuthKey, AuthSecret: testAuthSecret, Domain: "localhost"}, st, srv))
	t.Cleanup(api.Close)
	base := cube.Config{AppID: 1, AuthKey: testAuthKey, APIURL: api.URL, ChatDomain: "localhost", RootCAs: roots}
	f := fixture{startTLS: base, directTLS: base, store: st}
	f.startTLS.ChatHost, f.startTLS.ChatTLS = plain.Addr().String(), cube.ChatStartTLS
	f.directTLS.ChatHost, f.directTLS.ChatTLS = direct.Addr().String(), cube.ChatDirectTLS
	return f
}

// nextMessage waits for the message with id on c's event stream.
func nextMessage(t *testing.T, c *cube.Chat, id string) cube.MessageEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-c.Events():
			if m, ok := e.(cube.MessageEvent); ok && m.Message.ID == id {
				return m
			}
		case <-deadline:
			t.Fatalf("message %s never arrived", id)
		}
	}
}

func TestChatAgainstXmppd(t *testing.T) {
	f := serverFixture(t)
	startTLS, directTLS, st := f.startTLS, f.directTLS, f.store
	ctx := context.Background()
	alice, err := st.CreateUser(ctx, cube.User{Login: "alice"}, "alicepass1")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := st.CreateUser(ctx, cube.User{Login: "bob"}, "bobpass12")
	if err != nil {
		t.Fatal(err)
	}
	aliceDesk := cube.NewChat(startTLS, cube.ChatOptions{UserID: alice.ID, Password: "alicepass1"})
	alicePhone := cube.NewChat(directTLS, cube.ChatOptions{UserID: alice.ID, Password: "alicepass1"})
	bobChat := cube.NewChat(directTLS, cube.ChatOptions{UserID: bob.ID, Password: "bobpass12"})
	for _, c := range []*cube.Chat{aliceDesk, alicePhone, bobChat} {
		if err := c.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		defer c.Disconnect()
	}
	for name, call := range map[string]func(context.Context) error{"ping": aliceDesk.Ping, "inactive": aliceDesk.MarkInactive, "active": aliceDesk.MarkActive} {
		if err := call(ctx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}

	sent, err := aliceDesk.SendMessage(ctx, cube.OutgoingMessage{DialogType: cube.DialogPrivate, RecipientID: bob.ID,
		Body: `hello <b> & "you"`, SaveToHistory: true, Custom: map[string]any{"mood": "sunny"}})
	if err != nil {
		t.Fatal(err)
	}
	got := nextMessage(t, bobChat, sent.ID)
	m := got.Message
	if m.Message != `hello <b> & "you"` || m.SenderID != alice.ID || m.RecipientID != bob.ID || m.ChatDialogID == "" || m.Custom["mood"] != "sunny" || got.Carbon {
		t.Fatalf("bob received %+v", got)
	}
	carbon := nextMessage(t, alicePhone, sent.ID)
	if !carbon.Carbon || carbon.Message.SenderID != alice.ID || carbon.Message.RecipientID != bob.ID {
		t.Fatalf("alice's other resource received %+v", carbon)
	}

	wrong := cube.NewChat(directTLS, cube.ChatOptions{UserID: alice.ID, Password: "not-it"})
	if err := wrong.Connect(ctx); !errors.Is(err, cube.ErrAuth) {
		t.Fatalf("wrong password: %v", err)
	}
	if wrong.State() != cube.AuthenticationFailure {
		t.Fatalf("state after wrong password: %v", wrong.State())
	}
}

func TestRESTAgainstServer(t *testing.T) {
	f := serverFixture(t)
	ctx := context.Background()
	alice, err := f.store.CreateUser(ctx, cube.User{Login: "alice"}, "alicepass1")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := f.store.CreateUser(ctx, cube.User{Login: "bob"}, "bobpass12")
	if err != nil {
		t.Fatal(err)
	}
	// Alice signs her session (JS 3 / Dart style), Bob uses the unsigned SDK 6 form.
	signed := f.directTLS
	signed.AuthSecret = testAuthSecret
	restA := cube.NewClient(signed)
	if s, err := restA.CreateSession(ctx, "alice", "alicepass1"); err != nil || s.UserID != alice.ID || restA.Token() == "" {
		t.Fatalf("alice session: %+v %v", s, err)
	}
	restB := cube.NewClient(f.directTLS)
	if _, err := restB.CreateSession(ctx, "bob", "wrong-password"); err == nil {
		t.Fatal("a wrong password opened a session")
	} else if e := (*cube.Error)(nil); !errors.As(err, &e) || e.Status < 400 || len(e.Messages) == 0 {
		t.Fatalf("wrong password error: %#v", err)
	}
	if s, err := restB.CreateSession(ctx, "bob", "bobpass12"); err != nil || s.UserID != bob.ID {
		t.Fatalf("bob session: %+v %v", s, err)
	}
	if _, err := cube.NewClient(f.directTLS).SignUp(ctx, cube.User{Login: "alice", Password: "another12"}); err == nil {
		t.Fatal("a duplicate login signed up")
	}
	users, err := restA.UsersByIDs(ctx, []int64{alice.ID, bob.ID})
	if err != nil || len(users) != 2 {
		t.Fatalf("users: %+v %v", users, err)
	}
	d, err := restA.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})
	if err != nil || d.Type != cube.DialogPrivate {
		t.Fatalf("dialog: %+v %v", d, err)
	}

	chatA := cube.NewChat(f.directTLS, cube.ChatOptions{UserID: alice.ID, Password: "alicepass1"})
	if err := chatA.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer chatA.Disconnect()
	sent, err := chatA.SendMessage(ctx, cube.OutgoingMessage{DialogID: d.ID, DialogType: cube.DialogPrivate, RecipientID: bob.ID, Body: "stored", SaveToHistory: true})
	if err != nil {
		t.Fatal(err)
	}
	var list *cube.MessageList
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		list, err = restB.ListMessages(ctx, cube.MessageFilter{DialogID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(list.Items) != 1 || list.Items[0].ID != sent.ID || list.Items[0].SenderID != alice.ID {
		t.Fatalf("history: %+v", list)
	}
	// Background reads (mark_as_read=0) keep the unread count; an explicit read clears it.
	if n := unread(t, restB, d.ID); n != 1 {
		t.Fatalf("unread after background read = %d, want 1", n)
	}
	if err := restB.UpdateMessages(ctx, d.ID, []string{sent.ID}, cube.MessageUpdate{Read: true}); err != nil {
		t.Fatal(err)
	}
	if n := unread(t, restB, d.ID); n != 0 {
		t.Fatalf("unread after read = %d, want 0", n)
	}
}

func unread(t *testing.T, c *cube.Client, dialogID string) int {
	t.Helper()
	list, err := c.ListDialogs(context.Background(), cube.DialogFilter{TypeIn: []int{cube.DialogPrivate}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list.Items {
		if d.ID == dialogID && d.UnreadMessagesCount != nil {
			return *d.UnreadMessagesCount
		}
	}
	t.Fatalf("dialog %s not listed with a count: %+v", dialogID, list)
	return -1
}
