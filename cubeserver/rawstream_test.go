package cubeserver

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// clientStreamHeader opens a client's XMPP stream over TCP or TLS.
const clientStreamHeader = `<?xml version='1.0'?><stream:stream to='localhost' version='1.0' ` +
	`xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`

// openStream bounds conn with a deadline (a test never hangs on a server that stops
// answering), opens the client's stream on it and returns a reader of the server's side.
func openStream(t *testing.T, conn net.Conn) *bufio.Reader {
	t.Helper()
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	write(t, conn, clientStreamHeader)
	return bufio.NewReader(conn)
}

// readUntil reads from r until one of the markers appears and returns which one.
func readUntil(t *testing.T, r *bufio.Reader, markers ...string) string {
	t.Helper()
	return readTo(t, r, func(seen string) (string, bool) {
		for _, m := range markers {
			if strings.Contains(seen, m) {
				return m, true
			}
		}
		return "", false
	})
}

// readElem reads up to and including the end of the next element named one of names,
// and returns that element.
func readElem(t *testing.T, r *bufio.Reader, names ...string) string {
	t.Helper()
	return readTo(t, r, func(seen string) (string, bool) {
		for _, n := range names {
			if strings.HasSuffix(seen, "</"+n+">") {
				return seen[strings.LastIndex(seen, "<"+n):], true
			}
		}
		return "", false
	})
}

// readTo reads r a byte at a time until done finds what it waits for in what was read.
// The stream's deadline (openStream) bounds the wait.
func readTo(t *testing.T, r *bufio.Reader, done func(seen string) (string, bool)) string {
	t.Helper()
	var seen strings.Builder
	for {
		b, err := r.ReadByte()
		if err != nil {
			t.Fatalf("read after %q: %v", seen.String(), err)
		}
		seen.WriteByte(b)
		if out, ok := done(seen.String()); ok {
			return out
		}
	}
}
