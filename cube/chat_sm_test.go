package cube

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

func TestScanAcksReadsHInWireOrder(t *testing.T) {
	w := newWireWatch(MaxIncomingStanzaBytes)
	chunks := []string{
		`<message><body>&lt;a h="9"/&gt;</body><html><a href="x">link</a></html></message><a xmlns="urn:xmpp:sm:3" h="1"/>`,
		`<r xmlns="urn:xmpp:sm:3"/><a xmlns='urn:xmpp:sm:3'`, // cut inside the tag
		` h='4294967295'/><`,
		`a xmlns="urn:xmpp:sm:3" h="0"/>`, // cut right after "<"
	}
	for _, c := range chunks {
		if _, err := w.Write([]byte("RECV " + c)); err != nil {
			t.Fatal(err)
		}
	}
	var got []uint32
	for {
		h, ok := w.nextAck()
		if !ok {
			break
		}
		got = append(got, h)
	}
	if want := []uint32{1, math.MaxUint32, 0}; !slices.Equal(got, want) {
		t.Fatalf("acks %v, want %v", got, want)
	}
}

func TestSMElementFromGoXMPPError(t *testing.T) {
	for _, c := range []struct {
		err  string
		name string
		ok   bool
	}{
		{"unexpected XMPP message urn:xmpp:sm:3 <a/>", "a", true},
		{"unexpected XMPP message urn:xmpp:sm:3 <enabled/>", "enabled", true},
		{"unexpected XMPP message urn:ietf:params:xml:ns:xmpp-stanzas <item-not-found/>", "condition:item-not-found", true},
		{"unexpected XMPP message jabber:x:other <thing/>", "", false},
		{"EOF", "", false},
	} {
		name, ok := smElement(errors.New(c.err))
		if name != c.name || ok != c.ok {
			t.Errorf("%q: %q %v, want %q %v", c.err, name, ok, c.name, c.ok)
		}
	}
}

func TestCoversWraps(t *testing.T) {
	if !covers(1, math.MaxUint32) || !covers(5, 5) || covers(4, 5) || covers(math.MaxUint32, 1) {
		t.Fatal("covers does not count modulo 2^32")
	}
}

// TestConfirmPingsWithoutStreamManagement: a server that offers no <sm/> is not asked
// to enable it, and Confirm falls back to a ping round trip.
func TestConfirmPingsWithoutStreamManagement(t *testing.T) {
	srv := newFakeXMPP(t, false)
	c := NewChat(srv.config(), fastOpts())
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect() })
	expectStates(t, c, Authenticated, Ready)
	if c.StreamManagement() {
		t.Fatal("stream management on without the feature")
	}
	if err := c.Confirm(context.Background()); err != nil {
		t.Fatal(err)
	}
	for {
		e, _ := testwait.Recv(t, "the ping", 5*time.Second, srv.received)
		if e.XMLName.Local == "enable" {
			t.Fatalf("stream management asked for: %+v", e)
		}
		if e.XMLName.Local == "iq" && strings.Contains(e.Inner, "urn:xmpp:ping") {
			return
		}
	}
}
