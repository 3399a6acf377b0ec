package cubeserver

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

func startTest(t *testing.T, dir string) *Server {
	t.Helper()
	p := store.CheapPasswordPolicy()
	s, err := Start(context.Background(), Config{DataDir: dir, XMPPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0", PasswordPolicy: &p})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pinnedClient trusts only the server's own certificate, as cubechat does.
func pinnedClient(t *testing.T, s *Server) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CertPEM()) {
		t.Fatal("CertPEM is not a PEM certificate")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func post(t *testing.T, c *http.Client, url string, headers map[string]string, body any) (int, []byte) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func TestServerEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data") // created on start
	s := startTest(t, dir)
	hc := pinnedClient(t, s)
	if !strings.HasPrefix(s.HTTPURL(), "https://127.0.0.1:") || s.Domain() != "localhost" || s.AppID() != 1 {
		t.Fatalf("defaults: %s %s %d", s.HTTPURL(), s.Domain(), s.AppID())
	}
	status, body := post(t, hc, s.HTTPURL()+"/users.json", map[string]string{"CB-AuthKey": s.AuthKey()},
		map[string]any{"user": map[string]any{"login": "ada", "password": "lovelace"}})
	if status != 201 {
		t.Fatalf("sign-up = %d %s", status, body)
	}
	status, body = post(t, hc, s.HTTPURL()+"/session", nil, map[string]any{"application_id": s.AppID(),
		"auth_key": s.AuthKey(), "user": map[string]any{"login": "ada", "password": "lovelace"}})
	if status != 201 {
		t.Fatalf("session = %d %s", status, body)
	}
	var sess struct{ Session cube.Session }
	if err := json.Unmarshal(body, &sess); err != nil || sess.Session.UserID == 0 {
		t.Fatalf("session body %s: %v", body, err)
	}
	// The session token is also an XMPP password (SASL PLAIN carries either).
	if ok, err := s.Store().CheckChatPassword(context.Background(), sess.Session.UserID, sess.Session.Token); !ok || err != nil {
		t.Fatalf("token as chat password: %v %v", ok, err)
	}

	// Direct TLS answers with the pinned certificate.
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CertPEM()) {
		t.Fatal("CertPEM is not a PEM certificate")
	}
	for _, name := range []string{"localhost", "127.0.0.1"} {
		conn, err := tls.Dial("tcp", s.XMPPTLSAddr(), &tls.Config{RootCAs: pool, ServerName: name})
		if err != nil {
			t.Fatalf("TLS to %s as %s: %v", s.XMPPTLSAddr(), name, err)
		}
		conn.Close()
	}
	if s.XMPPAddr() == "" {
		t.Fatal("no STARTTLS address")
	}
	cert := s.CertPEM()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := hc.Get(s.HTTPURL() + "/session"); err == nil {
		t.Fatal("REST still answers after Close")
	}

	// A restart keeps the users and the certificate.
	s2 := startTest(t, dir)
	defer s2.Close()
	if !bytes.Equal(s2.CertPEM(), cert) {
		t.Fatal("certificate regenerated on restart")
	}
	if _, err := s2.Store().UserByLogin(context.Background(), "ada"); err != nil {
		t.Fatalf("user lost on restart: %v", err)
	}
	if info, err := os.Stat(filepath.Join(dir, "tls", "key.pem")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
}

func TestStartRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no data dir", Config{}},
		{"plain XMPP on a public address", Config{DataDir: t.TempDir(), XMPPPlainAddr: "0.0.0.0:0"}},
		{"plain HTTP on a public address", Config{DataDir: t.TempDir(), HTTPPlainAddr: "0.0.0.0:0"}},
		{"plain HTTP on a named host", Config{DataDir: t.TempDir(), HTTPPlainAddr: "example.com:8080"}},
		{"WebSocket (no TLS) on a public address", Config{DataDir: t.TempDir(), WSAddr: ":5291"}},
		{"bad address", Config{DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:notaport"}},
	}
	for _, tc := range tests {
		if s, err := Start(context.Background(), tc.cfg); err == nil {
			s.Close()
			t.Errorf("%s: Start succeeded", tc.name)
		}
	}
}

func TestCertificateRenewal(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	_, first, err := loadOrCreateCert(dir, "chat.example", now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		domain string
		at     time.Time
		same   bool
	}{
		{"same domain, reused", "chat.example", now, true},
		{"localhost is always covered", "localhost", now, true},
		{"new domain, replaced", "other.example", now, false},
		{"expired, replaced", "other.example", now.Add(11 * 365 * 24 * time.Hour), false},
	}
	prev := first
	for _, tc := range tests {
		cert, pemBytes, err := loadOrCreateCert(dir, tc.domain, tc.at)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if bytes.Equal(pemBytes, prev) != tc.same {
			t.Fatalf("%s: reused=%v, want %v", tc.name, !tc.same, tc.same)
		}
		if err := cert.Leaf.VerifyHostname(tc.domain); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		prev = pemBytes
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadOrCreateCert(dir, "localhost", now); err == nil {
		t.Fatal("a broken certificate file was silently replaced")
	}
}
