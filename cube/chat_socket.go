package cube

import (
	"crypto/tls"
	"net"
	"reflect"
	"unsafe"

	"github.com/xmppo/go-xmpp"
)

// socketOf returns the TCP connection under a go-xmpp client, or nil. go-xmpp
// (v0.4.1) keeps it in an unexported field and offers no way to it: its Close first
// writes our stream close and then waits, holding its decoder lock, for the server's,
// which a stalled peer never sends; only its own 10 s timer then closes the socket.
// Closing the socket ourselves ends a connection we have given up on at once.
// TestSocketOfFindsGoXMPPsConnection fails should a go-xmpp upgrade move the field.
func socketOf(cl *xmpp.Client) net.Conn {
	if cl == nil {
		return nil
	}
	f := reflect.ValueOf(cl).Elem().FieldByName("conn")
	if !f.IsValid() || f.Type() != reflect.TypeFor[net.Conn]() {
		return nil
	}
	conn := *(*net.Conn)(unsafe.Pointer(f.UnsafeAddr()))
	if tc, ok := conn.(*tls.Conn); ok {
		// Not the TLS layer's Close: it first writes an alert, which a stalled peer
		// may not take either.
		return tc.NetConn()
	}
	return conn
}
