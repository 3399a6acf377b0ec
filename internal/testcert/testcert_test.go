package testcert

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

// A client that trusts only the pool completes a handshake with a server presenting
// the certificate, under both names it is made for.
func TestLocalhostCertificateIsTrustedUnderBothNames(t *testing.T) {
	for _, name := range []string{"localhost", "127.0.0.1"} {
		ln, err := tls.Listen("tcp", "127.0.0.1:0", ServerConfig(t))
		if err != nil {
			t.Fatal(err)
		}
		accepted := make(chan error, 1)
		go func() {
			c, err := ln.Accept()
			if err == nil {
				err = c.(*tls.Conn).Handshake()
				_, _ = io.WriteString(c, "ok")
				c.Close()
			}
			accepted <- err
		}()
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ln.Addr().String(), ClientConfig(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		conn.Close()
		if err, _ := testwait.Recv(t, "the server's handshake", 5*time.Second, accepted); err != nil {
			t.Fatalf("%s: server side: %v", name, err)
		}
		ln.Close()
	}
}

func TestLocalhostIsMadeOnce(t *testing.T) {
	a, _ := Localhost(t)
	b, _ := Localhost(t)
	if a.Leaf != b.Leaf {
		t.Fatal("a second call made another certificate")
	}
	if a.Leaf.NotAfter.Before(time.Now().Add(time.Hour)) {
		t.Fatalf("certificate expires too soon: %v", a.Leaf.NotAfter)
	}
}
