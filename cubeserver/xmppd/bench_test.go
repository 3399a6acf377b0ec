package xmppd

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
	"github.com/cubechat/cubechat/internal/testcert"
)

// The routing benchmarks run xmppd over the real SQLite store and raw TLS clients that
// only count what they receive, so the figures are the server's (plus TLS and
// loopback), not a client library's. Stanzas are marshalled before the timer starts.
// Senders keep at most benchWindow messages in flight, well under the per-connection
// send queue (512), as a real client would be limited by its own reading.

const benchWindow = 128

// benchServer is xmppd on the real store with direct TLS on loopback.
type benchServer struct {
	srv  *Server
	st   *store.Store
	addr string
	tls  *tls.Config // for clients
}

func startBenchServer(b *testing.B) *benchServer {
	b.Helper()
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	serverTLS, clientTLS := testcert.ServerConfig(b), testcert.ClientConfig(b, "127.0.0.1")
	srv := New(Config{Domain: "localhost", AppID: 1, TLS: serverTLS, Logger: slog.New(slog.DiscardHandler)}, st)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(ln, true) }()
	b.Cleanup(func() { _ = srv.Close() }) // before st.Close: cleanups run last-in first-out
	return &benchServer{srv: srv, st: st, addr: ln.Addr().String(), tls: clientTLS}
}

// benchUsers creates n users with password "pw".
func (bs *benchServer) benchUsers(b *testing.B, n int) []int64 {
	b.Helper()
	ids := make([]int64, n)
	for i := range ids {
		u, err := bs.st.CreateUser(context.Background(), cube.User{Login: fmt.Sprintf("bench%d", i)}, "pw")
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = u.ID
	}
	return ids
}

// benchClient is a logged-in connection whose reader counts incoming messages.
type benchClient struct {
	conn     net.Conn
	messages atomic.Int64
	readErr  chan error
}

// login authenticates uid over direct TLS, binds, sends initial presence and starts
// counting messages.
func (bs *benchServer) login(b *testing.B, uid int64) *benchClient {
	b.Helper()
	conn, err := tls.Dial("tcp", bs.addr, bs.tls)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	dec := xml.NewDecoder(conn)
	step := func(send, want string) {
		b.Helper()
		if _, err := io.WriteString(conn, send); err != nil {
			b.Fatal(err)
		}
		if err := benchSkipTo(dec, want); err != nil {
			b.Fatalf("login of %d waiting for <%s>: %v", uid, want, err)
		}
	}
	header := `<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`
	step(header, "features")
	plain := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("\x00%d-1\x00pw", uid)))
	step(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>`+plain+`</auth>`, "success")
	dec = xml.NewDecoder(conn) // the stream restarts after SASL
	step(header, "features")
	step(`<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`, "iq")
	if _, err := io.WriteString(conn, `<presence/>`); err != nil {
		b.Fatal(err)
	}
	_ = conn.SetDeadline(time.Time{})
	c := &benchClient{conn: conn, readErr: make(chan error, 1)}
	go c.count(dec)
	return c
}

// benchSkipTo reads until a start element named local and skips over it.
func benchSkipTo(dec *xml.Decoder, local string) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == local {
			return dec.Skip()
		}
	}
}

// count reads top-level elements until the stream ends, counting <message/>s.
func (c *benchClient) count(dec *xml.Decoder) {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			c.readErr <- err
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && t.Name.Local == "message" {
				if err := dec.Skip(); err != nil {
					c.readErr <- err
					return
				}
				c.messages.Add(1)
				continue
			}
			if t.Name.Local != "stream" {
				depth++
			}
		case xml.EndElement:
			if t.Name.Local != "stream" {
				depth--
			}
		}
	}
}

// benchWaitFor blocks until counted() reaches n; it fails the benchmark when the
// connection dies or nothing moves for 10 s.
func benchWaitFor(b *testing.B, counted func() int64, n int64, readers ...*benchClient) {
	b.Helper()
	last, since := counted(), time.Now()
	for counted() < n {
		for _, r := range readers {
			select {
			case err := <-r.readErr:
				b.Fatalf("reader stopped at %d of %d: %v", counted(), n, err)
			default:
			}
		}
		if c := counted(); c != last {
			last, since = c, time.Now()
		} else if time.Since(since) > 10*time.Second {
			b.Fatalf("stuck at %d of %d", c, n)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// benchMarshalAll builds the stanzas to send, outside the timer.
func benchMarshalAll(b *testing.B, n int, build func(i int) *cube.MessageStanza) [][]byte {
	b.Helper()
	out := make([][]byte, n)
	for i := range out {
		raw, err := xml.Marshal(build(i))
		if err != nil {
			b.Fatal(err)
		}
		out[i] = raw
	}
	return out
}

// benchPump writes every stanza, keeping at most benchWindow messages (each worth perMsg
// counted deliveries) ahead of what the receivers counted.
func benchPump(b *testing.B, from *benchClient, stanzas [][]byte, perMsg int64, counted func() int64, readers ...*benchClient) {
	b.Helper()
	for i, raw := range stanzas {
		if ahead := int64(i) - benchWindow; ahead > 0 {
			benchWaitFor(b, counted, ahead*perMsg, readers...)
		}
		if _, err := from.conn.Write(raw); err != nil {
			b.Fatal(err)
		}
	}
	benchWaitFor(b, counted, int64(len(stanzas))*perMsg, readers...)
}

func benchParams(save bool, dialogID string) *cube.ExtraParams {
	e := &cube.ExtraParams{}
	if save {
		e.Set("save_to_history", "1")
	}
	e.Set("dialog_id", dialogID)
	e.Set("date_sent", fmt.Sprint(time.Now().Unix()))
	return e
}

// BenchmarkRouteChat sends 1-1 messages from one online user to another, with and
// without save_to_history (a stored message costs one SQLite transaction plus the
// alert check). One op = one message routed and received; msgs/s is the throughput.
func BenchmarkRouteChat(b *testing.B) {
	for _, save := range []bool{true, false} {
		name := "stored"
		if !save {
			name = "not_stored"
		}
		b.Run(name, func(b *testing.B) {
			bs := startBenchServer(b)
			ids := bs.benchUsers(b, 2)
			d, err := bs.st.FindOrCreatePrivateDialog(context.Background(), ids[0], ids[1])
			if err != nil {
				b.Fatal(err)
			}
			alice, bob := bs.login(b, ids[0]), bs.login(b, ids[1])
			to := bs.srv.userJID(ids[1])
			stanzas := benchMarshalAll(b, b.N, func(i int) *cube.MessageStanza {
				return &cube.MessageStanza{Type: cube.ChatType, To: to, ID: cube.NewObjectID(),
					Body: cube.Str(fmt.Sprintf("routing benchmark message %d", i)), Extra: benchParams(save, d.ID)}
			})
			b.ResetTimer()
			benchPump(b, alice, stanzas, 1, bob.messages.Load, bob)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			if save {
				n, err := bs.st.CountMessages(context.Background(), store.MessageQuery{DialogID: d.ID, Viewer: ids[1]})
				if err != nil || n != b.N {
					b.Fatalf("stored %d of %d: %v", n, b.N, err)
				}
			}
		})
	}
}

// BenchmarkGroupFanout sends group messages into a dialog of 10 occupants, all online;
// one op = one message received by the 9 others (the sender's echo is read too).
// deliveries/s counts each recipient's copy.
func BenchmarkGroupFanout(b *testing.B) {
	const occupants = 10
	for _, save := range []bool{true, false} {
		name := "stored"
		if !save {
			name = "not_stored"
		}
		b.Run(name, func(b *testing.B) {
			bs := startBenchServer(b)
			ids := bs.benchUsers(b, occupants)
			dialogID := cube.NewObjectID()
			room := cube.RoomJID(1, dialogID, "localhost")
			if _, _, err := bs.st.CreateDialog(context.Background(), store.NewDialog{ID: dialogID, Type: cube.DialogGroup,
				OwnerID: ids[0], Name: "bench", RoomJID: room, OccupantIDs: ids[1:]}); err != nil {
				b.Fatal(err)
			}
			sender := bs.login(b, ids[0])
			var receivers []*benchClient
			for _, id := range ids[1:] {
				receivers = append(receivers, bs.login(b, id))
			}
			counted := func() int64 {
				var n int64
				for _, r := range receivers {
					n += r.messages.Load()
				}
				return n
			}
			stanzas := benchMarshalAll(b, b.N, func(i int) *cube.MessageStanza {
				return &cube.MessageStanza{Type: cube.GroupChatType, To: room, ID: cube.NewObjectID(),
					Body: cube.Str(fmt.Sprintf("fan-out benchmark message %d", i)), Extra: benchParams(save, dialogID)}
			})
			b.ResetTimer()
			benchPump(b, sender, stanzas, occupants-1, counted, append(receivers, sender)...)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(float64(b.N*(occupants-1))/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkDeliveredMarker sends <received/> markers for stored 1-1 messages, as every
// SDK does for each message it gets (AutoDeliver): the server loads the message and the
// dialog, records the delivery and relays the marker to the sender. One op = one
// marker relayed.
func BenchmarkDeliveredMarker(b *testing.B) {
	bs := startBenchServer(b)
	ids := bs.benchUsers(b, 2)
	ctx := context.Background()
	d, err := bs.st.FindOrCreatePrivateDialog(ctx, ids[0], ids[1])
	if err != nil {
		b.Fatal(err)
	}
	msgIDs := make([]string, b.N)
	for i := range msgIDs {
		msgIDs[i] = cube.NewObjectID()
		if _, err := bs.st.StoreChatMessage(ctx, cube.Message{ID: msgIDs[i], ChatDialogID: d.ID, SenderID: ids[0],
			RecipientID: ids[1], Message: "marked", DateSent: time.Now().Unix()}); err != nil {
			b.Fatal(err)
		}
	}
	alice, bob := bs.login(b, ids[0]), bs.login(b, ids[1])
	to := bs.srv.userJID(ids[0])
	stanzas := benchMarshalAll(b, b.N, func(i int) *cube.MessageStanza {
		e := &cube.ExtraParams{}
		e.Set("dialog_id", d.ID)
		return &cube.MessageStanza{Type: cube.ChatType, To: to, ID: cube.NewObjectID(),
			Received: &cube.MarkerElem{ID: msgIDs[i]}, Extra: e}
	})
	b.ResetTimer()
	benchPump(b, bob, stanzas, 1, alice.messages.Load, alice)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "markers/s")
	m, err := bs.st.Message(ctx, msgIDs[b.N-1], ids[0])
	if err != nil || len(m.DeliveredIDs) != 2 {
		b.Fatalf("last message delivered to %v, %v", m.DeliveredIDs, err)
	}
}
