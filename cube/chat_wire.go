package cube

import (
	"bytes"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
)

// MaxIncomingStanzaBytes caps what one incoming stanza may occupy on the wire. The
// server refuses client stanzas over MaxStanzaBytes; what it sends us may be somewhat
// bigger (a carbon or an offline copy wraps a message, escaping grows text), so the
// cap is four times that. A peer that sends more is hostile or broken: the connection
// is dropped before the stanza is buffered whole, and the reconnection manager starts.
const MaxIncomingStanzaBytes = 4 * MaxStanzaBytes

// IncomingTooLargeError ends a connection whose peer sent a stanza over the cap.
type IncomingTooLargeError struct {
	Read  int64 // bytes of that stanza read before the connection was dropped
	Limit int64
}

func (e *IncomingTooLargeError) Error() string {
	return fmt.Sprintf("cube: the server sent a stanza over %d KiB (%d bytes read); connection dropped", e.Limit>>10, e.Read)
}

// wireWatch sees every byte go-xmpp reads from the socket. go-xmpp offers no hook on
// its connection other than the Debug tee (it copies each read chunk to DebugWriter
// and fails the read when that write fails), so the watch is installed as
// DebugWriter. It
//   - caps the bytes read since the reader last got a stanza (MaxIncomingStanzaBytes),
//   - remembers when a byte last arrived (the ping loop pings only an idle
//     connection, and any byte, not only the pong, proves it alive),
//   - keeps the last bytes read, because go-xmpp reports a <stream:error/> without
//     its condition, and the condition decides whether we may reconnect,
//   - notes whether the server offers stream management and reads the h of its
//     acknowledgements, which go-xmpp cannot parse (chat_sm.go).
//
// What go-xmpp writes reaches the watch too (prefixed "SEND "); it is ignored.
type wireWatch struct {
	limit       int64
	lastRead    atomic.Int64 // unix nanoseconds
	sinceStanza atomic.Int64
	overflow    atomic.Pointer[IncomingTooLargeError]

	mu   sync.Mutex
	tail []byte
	// Stream management (chat_sm.go): whether the handshake offered <sm/>, and the h of
	// each <a/> read, for the reader to take when go-xmpp reports the element.
	smOffered atomic.Bool
	acks      []uint32
	ackCarry  []byte
}

// tailBytes is how much of the stream is kept for reading a stream error.
const tailBytes = 1024

func newWireWatch(limit int64) *wireWatch {
	w := &wireWatch{limit: limit}
	w.lastRead.Store(time.Now().UnixNano())
	return w
}

var (
	debugRecvPrefix = []byte("RECV ")
	debugSendPrefix = []byte("SEND ")
)

// Write receives go-xmpp's debug copy of one read (or write) chunk. An error makes
// go-xmpp's read fail, which ends Recv and so the connection.
func (w *wireWatch) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, debugSendPrefix) {
		return len(p), nil
	}
	if over := w.overflow.Load(); over != nil {
		return 0, over
	}
	data := bytes.TrimPrefix(p, debugRecvPrefix)
	w.lastRead.Store(time.Now().UnixNano())
	if n := w.sinceStanza.Add(int64(len(data))); n > w.limit {
		over := &IncomingTooLargeError{Read: n, Limit: w.limit}
		w.overflow.CompareAndSwap(nil, over)
		return 0, w.overflow.Load()
	}
	if !w.smOffered.Load() && bytes.Contains(data, []byte(`<sm xmlns=`)) && bytes.Contains(data, []byte(nsSM)) {
		w.smOffered.Store(true)
	}
	w.mu.Lock()
	w.scanAcks(data)
	w.tail = append(w.tail, data...)
	if len(w.tail) > tailBytes {
		w.tail = append(w.tail[:0], w.tail[len(w.tail)-tailBytes:]...)
	}
	w.mu.Unlock()
	return len(p), nil
}

// stanzaDone is called by the reader each time Recv hands over a stanza.
func (w *wireWatch) stanzaDone() { w.sinceStanza.Store(0) }

// lastReadAt is when the last byte arrived (or the watch was made).
func (w *wireWatch) lastReadAt() time.Time { return time.Unix(0, w.lastRead.Load()) }

// tooLarge is the reason the watch failed a read, if it did.
func (w *wireWatch) tooLarge() error {
	if over := w.overflow.Load(); over != nil {
		return over
	}
	return nil
}

// streamErrorCondition reads the condition of the last <stream:error/> received (""
// when none can be seen).
func (w *wireWatch) streamErrorCondition() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return streamErrorCondition(w.tail)
}

var (
	streamErrorStart = regexp.MustCompile(`<([A-Za-z0-9_.-]+:)?error[\s>/]`)
	firstChild       = regexp.MustCompile(`<([a-z][a-z-]*)[\s>/]`)
)

// streamErrorCondition finds the last stream error start tag in b and returns the name
// of its first child element, the defined condition (RFC 6120 §4.9.3).
func streamErrorCondition(b []byte) string {
	all := streamErrorStart.FindAllIndex(b, -1)
	if len(all) == 0 {
		return ""
	}
	rest := b[all[len(all)-1][1]:]
	m := firstChild.FindSubmatch(rest)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// transientStreamErrors are the stream error conditions after which the client may
// connect again (RFC 6120 §4.9.3): an orderly restart, an idle or reset stream, a
// passing server fault. Everything else (conflict, not-authorized, policy-violation,
// a condition we cannot read…) ends the session as ForceClosed.
var transientStreamErrors = map[string]bool{
	"system-shutdown": true, "connection-timeout": true, "reset": true,
	"internal-server-error": true, "resource-constraint": true,
}
