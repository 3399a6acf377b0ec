package integration_test

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// startServer runs a real cubeserver on ephemeral ports (REST, STARTTLS, direct TLS).
func startServer(t *testing.T) *cubeserver.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := cubeserver.Start(ctx, cubeserver.Config{DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", XMPPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0",
		PasswordPolicy: new(store.CheapPasswordPolicy())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// createUser stores a user directly in the server.
func createUser(t *testing.T, srv *cubeserver.Server, login, password string) cube.User {
	t.Helper()
	u, err := srv.Store().CreateUser(context.Background(), cube.User{Login: login, FullName: login}, password)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// clientConfig points the SDK at srv, pinning its certificate; signed sessions when
// asked, and the chat over STARTTLS or direct TLS.
func clientConfig(t *testing.T, srv *cubeserver.Server, signed bool, mode string) cube.Config {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(srv.CertPEM()) {
		t.Fatal("server certificate does not parse")
	}
	cfg := cube.Config{AppID: srv.AppID(), AuthKey: srv.AuthKey(), APIURL: srv.HTTPURL(), ChatDomain: srv.Domain(), ChatTLS: mode, RootCAs: roots}
	if signed {
		cfg.AuthSecret = srv.AuthSecret()
	}
	cfg.ChatHost = srv.XMPPTLSAddr()
	if mode == cube.ChatStartTLS {
		cfg.ChatHost = srv.XMPPAddr()
	}
	return cfg
}

// account is a user logged in over REST and, once connect is called, over chat.
type account struct {
	cube.User
	rest *cube.Client
	chat *cube.Chat
}

// login makes a user with a REST session.
func login(t *testing.T, srv *cubeserver.Server, name string) *account {
	t.Helper()
	password := name + "-pass-1"
	u := createUser(t, srv, name, password)
	c := cube.NewClient(clientConfig(t, srv, false, cube.ChatDirectTLS))
	if _, err := c.CreateSession(context.Background(), name, password); err != nil {
		t.Fatal(err)
	}
	return &account{User: u, rest: c}
}

// connect opens the account's chat with its session token and waits for Ready.
func (a *account) connect(t *testing.T, opts cube.ChatOptions) *account {
	t.Helper()
	opts.UserID, opts.Password = a.ID, a.rest.Token()
	a.chat = cube.NewChat(a.rest.Config(), opts)
	if err := a.chat.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.chat.Disconnect() })
	waitEvent(t, a.chat, func(e cube.StateEvent) bool { return e.State == cube.Ready })
	return a
}

// team creates, as a, the group dialog "Team" with the others as occupants.
func (a *account) team(t *testing.T, others ...*account) *cube.Dialog {
	t.Helper()
	ids := make([]int64, len(others))
	for i, o := range others {
		ids[i] = o.ID
	}
	group, err := a.rest.CreateDialog(context.Background(), cube.NewDialog{Type: cube.DialogGroup, Name: "Team", OccupantsIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	return group
}

// waitEvent reads c's events until one of type T matches, or fails after 10 s.
func waitEvent[T cube.Event](t *testing.T, c *cube.Chat, match func(T) bool) T {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-c.Events():
			if v, ok := e.(T); ok && match(v) {
				return v
			}
		case <-deadline:
			var zero T
			t.Fatalf("no matching %T", zero)
			return zero
		}
	}
}

func unread(t *testing.T, c *cube.Client, dialogID string) int {
	t.Helper()
	list, err := c.ListDialogs(context.Background(), cube.DialogFilter{IDIn: []string{dialogID}})
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
