package cubeserver

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// TestPlainAndWebSocketListeners proves the JS SDK's two transports are wired: plain
// TCP where PLAIN works without STARTTLS, and RFC 7395 WebSocket; and that the admin
// key reaches the REST handler.
func TestPlainAndWebSocketListeners(t *testing.T) {
	s, err := Start(context.Background(), Config{DataDir: t.TempDir(), XMPPPlainAddr: "127.0.0.1:0", PasswordPolicy: new(store.CheapPasswordPolicy()),
		XMPPAddr: "127.0.0.1:0", WSAddr: "127.0.0.1:0", AdminKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.XMPPAddr(), "127.0.0.1:") || !strings.HasPrefix(s.WSURL(), "ws://127.0.0.1:") || !strings.HasPrefix(s.XMPPPlainAddr(), "127.0.0.1:") {
		t.Fatalf("addresses: xmpp %q ws %q plain %q", s.XMPPAddr(), s.WSURL(), s.XMPPPlainAddr())
	}
	u, err := s.Store().CreateUser(context.Background(), cube.User{Login: "ada"}, "lovelace")
	if err != nil {
		t.Fatal(err)
	}
	authcid := strconv.FormatInt(u.ID, 10) + "-" + strconv.FormatInt(s.AppID(), 10)
	auth := `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>` +
		base64.StdEncoding.EncodeToString([]byte("\x00"+authcid+"\x00lovelace")) + `</auth>`

	t.Run("plain TCP", func(t *testing.T) {
		conn, err := net.Dial("tcp", s.XMPPPlainAddr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		r := openStream(t, conn)
		if readUntil(t, r, "<mechanism>PLAIN</mechanism>", "</stream:features>") != "<mechanism>PLAIN</mechanism>" {
			t.Fatal("PLAIN not offered without STARTTLS")
		}
		conn.Write([]byte(auth))
		if got := readUntil(t, r, "<success", "<failure"); got != "<success" {
			t.Fatalf("SASL answer %s", got)
		}
	})

	t.Run("STARTTLS listener still requires TLS", func(t *testing.T) {
		conn, err := net.Dial("tcp", s.XMPPAddr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		r := openStream(t, conn)
		if got := readUntil(t, r, "<mechanism>PLAIN</mechanism>", "</stream:features>"); got != "</stream:features>" {
			t.Fatal("the STARTTLS listener offers PLAIN before TLS while the plain listener is on")
		}
	})

	t.Run("WebSocket", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ws, _, err := websocket.Dial(ctx, s.WSURL(), &websocket.DialOptions{Subprotocols: []string{"xmpp"}})
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		send := func(frame string) {
			if err := ws.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
				t.Fatal(err)
			}
		}
		until := func(marker string) {
			t.Helper()
			for {
				_, frame, err := ws.Read(ctx)
				if err != nil {
					t.Fatalf("waiting for %s: %v", marker, err)
				}
				if strings.Contains(string(frame), marker) {
					return
				}
			}
		}
		send(`<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="localhost" version="1.0"/>`)
		until("PLAIN")
		send(auth)
		until("<success")
	})

	req, _ := http.NewRequest("GET", s.HTTPURL()+"/admin/alerts", nil)
	req.Header.Set("CB-Administration-API-Key", "k")
	res, err := pinnedClient(t, s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("admin alerts with the key: %d", res.StatusCode)
	}
}
