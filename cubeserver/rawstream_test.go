package cubeserver

import (
	"bufio"
	"net"
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
