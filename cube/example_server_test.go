package cube_test

// The examples in example_test.go run against a real cubeserver started in this process on
// ephemeral ports: the first example that needs it starts it, TestMain closes it.

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
)

var example struct {
	once   sync.Once
	srv    *cubeserver.Server
	dir    string
	err    error
	logins atomic.Int64
}

// TestMain closes the examples' server (if one was started) after every test of the package.
func TestMain(m *testing.M) {
	code := m.Run()
	if example.srv != nil {
		example.srv.Close()
	}
	if example.dir != "" {
		os.RemoveAll(example.dir)
	}
	os.Exit(code)
}

// exampleServer is the shared in-process server; it panics when it cannot start, which fails
// the example that asked for it.
func exampleServer() *cubeserver.Server {
	example.once.Do(func() {
		example.dir, example.err = os.MkdirTemp("", "cube-examples-")
		if example.err != nil {
			return
		}
		example.srv, example.err = cubeserver.Start(context.Background(), cubeserver.Config{
			DataDir: example.dir, HTTPAddr: "127.0.0.1:0", XMPPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0",
		})
	})
	if example.err != nil {
		panic(fmt.Sprintf("examples: starting cubeserver: %v", example.err))
	}
	return example.srv
}

// exampleConfig points the SDK at the examples' server (REST, and the chat over direct TLS
// with the server's own certificate pinned).
func exampleConfig() cube.Config {
	srv := exampleServer()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(srv.CertPEM())
	return cube.Config{
		AppID: srv.AppID(), AuthKey: srv.AuthKey(), APIURL: srv.HTTPURL(),
		ChatHost: srv.XMPPTLSAddr(), ChatDomain: srv.Domain(), ChatTLS: cube.ChatDirectTLS, RootCAs: roots,
	}
}

// exampleUser creates a user with a login no other example uses and returns it with its
// password. fullName is what examples print, since ids and logins differ from run to run.
func exampleUser(fullName string) (cube.User, string) {
	login := fmt.Sprintf("user%d", example.logins.Add(1))
	password := login + "-pass-1"
	u, err := exampleServer().Store().CreateUser(context.Background(), cube.User{Login: login, FullName: fullName}, password)
	if err != nil {
		panic(fmt.Sprintf("examples: creating %s: %v", fullName, err))
	}
	return u, password
}

// signedIn is a new user with a REST session.
func signedIn(fullName string) (cube.User, *cube.Client) {
	u, password := exampleUser(fullName)
	client := cube.NewClient(exampleConfig())
	if _, err := client.CreateSession(context.Background(), u.Login, password); err != nil {
		panic(fmt.Sprintf("examples: signing in %s: %v", fullName, err))
	}
	return u, client
}

// connected opens the chat of a signed-in client with its session token and waits for Ready.
func connected(me cube.User, client *cube.Client) *cube.Chat {
	chat := cube.NewChat(client.Config(), cube.ChatOptions{UserID: me.ID, Password: client.Token()})
	if err := chat.Connect(context.Background()); err != nil {
		panic(fmt.Sprintf("examples: connecting %s: %v", me.FullName, err))
	}
	if _, ok := nextEvent(chat, func(e cube.StateEvent) bool { return e.State == cube.Ready }); !ok {
		panic("examples: the chat never became Ready")
	}
	return chat
}

// nextEvent reads chat's events until one of type T matches; false after 10 s without one.
func nextEvent[T cube.Event](chat *cube.Chat, match func(T) bool) (T, bool) {
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-chat.Events():
			if v, ok := e.(T); ok && match(v) {
				return v, true
			}
		case <-deadline:
			var zero T
			return zero, false
		}
	}
}

// any matches every event of its type.
func anyEvent[T cube.Event](T) bool { return true }
