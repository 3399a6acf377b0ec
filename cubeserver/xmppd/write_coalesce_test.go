package xmppd

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// recordingFraming keeps every Write; the rest of framing is not used here.
type recordingFraming struct {
	framing
	writes [][]byte
}

func (f *recordingFraming) Write(b []byte) error {
	f.writes = append(f.writes, bytes.Clone(b))
	return nil
}

func (f *recordingFraming) SetWriteDeadline(time.Time) error { return nil }

// What is queued when the writer takes an item goes out with it in one write, in
// queue order, and the link's byte budget is released in full.
func TestWriterJoinsWhatIsQueued(t *testing.T) {
	f := &recordingFraming{}
	s := &session{}
	l := &link{c: &conn{f: f}, out: make(chan outItem, 8), done: make(chan struct{})}
	items := []string{`<message id="1"/>`, `<message id="2"/>`, `<a xmlns="` + nsSM + `" h="3"/>`, `<message id="4"/>`}
	for _, it := range items {
		l.out <- outItem{b: []byte(it), stanzas: strings.HasPrefix(it, "<message")}
		l.queued += len(it)
	}
	close(l.out)
	s.writeLoop(l)
	if len(f.writes) != 1 || string(f.writes[0]) != strings.Join(items, "") {
		t.Fatalf("writes %q, want one write of all four in order", f.writes)
	}
	if l.queued != 0 {
		t.Fatalf("%d bytes still counted as queued", l.queued)
	}
}

// One write holds at most writeCoalesceMax bytes (plus the item that crossed it).
func TestWriterBoundsAJoinedWrite(t *testing.T) {
	f := &recordingFraming{}
	s := &session{}
	l := &link{c: &conn{f: f}, out: make(chan outItem, 8), done: make(chan struct{})}
	big := bytes.Repeat([]byte("x"), writeCoalesceMax/2+1)
	for range 3 {
		l.out <- outItem{b: big, stanzas: true}
	}
	close(l.out)
	s.writeLoop(l)
	if len(f.writes) != 2 || len(f.writes[0]) != 2*len(big) || len(f.writes[1]) != len(big) {
		sizes := make([]int, len(f.writes))
		for i, w := range f.writes {
			sizes[i] = len(w)
		}
		t.Fatalf("write sizes %v", sizes)
	}
}
