package cubeserver

import (
	"context"
	"encoding/base64"
	"strconv"
	"testing"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// TestXMPPLoginUsesStore proves the wiring: xmppd checks SASL PLAIN against the store,
// which accepts a REST session token or the password and refuses anything else.
func TestXMPPLoginUsesStore(t *testing.T) {
	s := startTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	u, err := s.Store().CreateUser(ctx, cube.User{Login: "ada"}, "lovelace")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.Store().CreateSession(ctx, store.NewSession{AppID: s.AppID(), UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, secret, want string
	}{
		{"session token", sess.Token, "<success"},
		{"password", "lovelace", "<success"},
		{"wrong password", "babbage", "<failure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, r := saslConn(t, s)
			authcid := strconv.FormatInt(u.ID, 10) + "-" + strconv.FormatInt(s.AppID(), 10)
			plain := base64.StdEncoding.EncodeToString([]byte("\x00" + authcid + "\x00" + tc.secret))
			write(t, conn, `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>`+plain+`</auth>`)
			if got := readUntil(t, r, "<success", "<failure"); got != tc.want {
				t.Fatalf("SASL answer %s, want %s", got, tc.want)
			}
		})
	}
}
