package cubeserver

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"hash"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xmppo/go-xmpp"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// startFast starts a server whose password hashing is cheap (these tests sign in often).
func startFast(t *testing.T) *Server {
	t.Helper()
	p := store.CheapPasswordPolicy()
	s, err := Start(context.Background(), Config{DataDir: t.TempDir(), XMPPTLSAddr: "127.0.0.1:0", PasswordPolicy: &p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// saslConn is a raw direct-TLS XMPP stream up to its features.
func saslConn(t *testing.T, s *Server) (net.Conn, *bufio.Reader) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CertPEM())
	conn, err := tls.Dial("tcp", s.XMPPTLSAddr(), &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	r := openStream(t, conn)
	readUntil(t, r, "</stream:features>")
	return conn, r
}

func write(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := c.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

var b64text = regexp.MustCompile(`>([A-Za-z0-9+/=]*)<`)

// scramLogin is a SCRAM client written from RFC 5802 for the test. It returns the
// server's final element (<success> or <failure>) after checking, on success, that the
// server proved it knows the password's ServerKey.
func scramLogin(t *testing.T, s *Server, mech, user, password string) string {
	t.Helper()
	h := map[string]func() hash.Hash{"SCRAM-SHA-1": sha1.New, "SCRAM-SHA-256": sha256.New}[mech]
	conn, r := saslConn(t, s)
	clientNonce := "rOprNGfwEbeRWgbNEkqO" + strconv.FormatInt(time.Now().UnixNano(), 36)
	firstBare := "n=" + user + ",r=" + clientNonce
	write(t, conn, `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='`+mech+`'>`+
		base64.StdEncoding.EncodeToString([]byte("n,,"+firstBare))+`</auth>`)
	answer := readElem(t, r, "challenge", "failure")
	if strings.HasPrefix(answer, "<failure") {
		return answer
	}
	serverFirst := decodeB64(t, answer)
	attrs := map[string]string{}
	for _, kv := range strings.Split(serverFirst, ",") {
		k, v, _ := strings.Cut(kv, "=")
		attrs[k] = v
	}
	salt, _ := base64.StdEncoding.DecodeString(attrs["s"])
	iter, _ := strconv.Atoi(attrs["i"])
	if !strings.HasPrefix(attrs["r"], clientNonce) || len(salt) == 0 || iter < 4096 {
		t.Fatalf("server-first-message %q", serverFirst)
	}
	salted, err := pbkdf2.Key(h, password, salt, iter, h().Size())
	if err != nil {
		t.Fatal(err)
	}
	mac := func(key []byte, msg string) []byte { m := hmac.New(h, key); m.Write([]byte(msg)); return m.Sum(nil) }
	clientKey := mac(salted, "Client Key")
	sum := h()
	sum.Write(clientKey)
	finalBare := "c=biws,r=" + attrs["r"]
	authMessage := firstBare + "," + serverFirst + "," + finalBare
	proof := mac(sum.Sum(nil), authMessage)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	write(t, conn, `<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>`+base64.StdEncoding.EncodeToString(
		[]byte(finalBare+",p="+base64.StdEncoding.EncodeToString(proof)))+`</response>`)
	answer = readElem(t, r, "success", "failure")
	if strings.HasPrefix(answer, "<success") {
		want := "v=" + base64.StdEncoding.EncodeToString(mac(mac(salted, "Server Key"), authMessage))
		if got := decodeB64(t, answer); got != want {
			t.Fatalf("server signature %q, want %q", got, want)
		}
	}
	return answer
}

func decodeB64(t *testing.T, elem string) string {
	t.Helper()
	m := b64text.FindStringSubmatch(elem)
	if m == nil {
		t.Fatalf("no base64 payload in %q", elem)
	}
	raw, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatalf("payload of %q: %v", elem, err)
	}
	return string(raw)
}

func authcid(s *Server, uid int64) string {
	return strconv.FormatInt(uid, 10) + "-" + strconv.FormatInt(s.AppID(), 10)
}

const saslNotAuthorized = `<not-authorized xmlns="urn:ietf:params:xml:ns:xmpp-sasl">`

// SCRAM-SHA-1 and SCRAM-SHA-256 against the real server and store: the right password
// signs in (and the server proves itself), a wrong one and an unknown user get the
// namespaced not-authorized; a session token works as the password, as with PLAIN.
func TestSCRAMLogin(t *testing.T) {
	s := startFast(t)
	ctx := context.Background()
	u, err := s.Store().CreateUser(ctx, cube.User{Login: "ada"}, "lovelace")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.Store().CreateSession(ctx, store.NewSession{AppID: s.AppID(), UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, mech := range []string{"SCRAM-SHA-1", "SCRAM-SHA-256"} {
		t.Run(mech, func(t *testing.T) {
			if got := scramLogin(t, s, mech, authcid(s, u.ID), "lovelace"); !strings.HasPrefix(got, "<success") {
				t.Fatalf("right password: %s", got)
			}
			if got := scramLogin(t, s, mech, authcid(s, u.ID), sess.Token); !strings.HasPrefix(got, "<success") {
				t.Fatalf("session token as password: %s", got)
			}
			for name, user := range map[string]string{"wrong password": authcid(s, u.ID), "unknown user": authcid(s, 999)} {
				got := scramLogin(t, s, mech, user, "babbage")
				if !strings.Contains(got, saslNotAuthorized) || strings.Contains(got, `xmlns=""`) {
					t.Fatalf("%s: %s, want a SASL-namespaced not-authorized", name, got)
				}
			}
		})
	}

	// An independent client: go-xmpp with the mechanism forced.
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CertPEM())
	for _, mech := range []string{"SCRAM-SHA-1", "SCRAM-SHA-256"} {
		c, err := xmpp.Options{Host: s.XMPPTLSAddr(), User: cube.UserJID(u.ID, s.AppID(), s.Domain()), Password: "lovelace",
			TLSConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}, Mechanism: mech, NoSASLUpgrade: true}.NewClient()
		if err != nil {
			t.Fatalf("go-xmpp over %s: %v", mech, err)
		}
		if c.Mechanism != mech {
			t.Fatalf("go-xmpp used %q, want %s", c.Mechanism, mech)
		}
		c.Close()
	}
}

// PLAIN keeps working, and its failure is namespaced too.
func TestPlainFailureIsNamespaced(t *testing.T) {
	s := startFast(t)
	u, err := s.Store().CreateUser(context.Background(), cube.User{Login: "ada"}, "lovelace")
	if err != nil {
		t.Fatal(err)
	}
	conn, r := saslConn(t, s)
	plain := func(pw string) {
		write(t, conn, `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>`+
			base64.StdEncoding.EncodeToString([]byte("\x00"+authcid(s, u.ID)+"\x00"+pw))+`</auth>`)
	}
	plain("babbage")
	if got := readElem(t, r, "failure"); !strings.Contains(got, saslNotAuthorized) || strings.Contains(got, `xmlns=""`) ||
		!strings.Contains(got, "Password not verified") {
		t.Fatalf("wrong PLAIN password: %s", got)
	}
	plain("lovelace")
	if got := readUntil(t, r, "<success", "<failure"); got != "<success" {
		t.Fatalf("right PLAIN password: %s", got)
	}
}
