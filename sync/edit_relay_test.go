package sync

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/internal/faultproxy"
)

// TestEditWhoseRelayIsLostReachesAPeerThatStaysOnline: ann's edit is stored over
// REST, but its live <replace/> is lost with her chat connection (stalled, then cut).
// Bob stays online the whole time, so no catch-up of his would bring the new text:
// the edit must stay queued until the server has taken its relay, and be relayed
// again once ann is back.
func TestEditWhoseRelayIsLostReachesAPeerThatStaysOnline(t *testing.T) {
	h := newHarness(t)
	proxy, err := faultproxy.Listen("127.0.0.1:0", h.srv.XMPPAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	ann, bob := h.user("ann"), h.user("bob")
	a := h.newPeerWith(ann, func(p *Profile) { p.ChatHost = proxy.Addr() }) // chat through the proxy
	b := h.newPeer(bob)
	a.waitSynced()
	b.waitSynced()
	dialog := groupWith(t, a, "edits", bob.ID)
	msg := sendAndWait(t, a, b, dialog, "before")

	proxy.Stall(time.Hour) // the relay goes into a connection that holds it
	if err := a.e.Edit(h.ctx, msg, "after"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(waitLimit); ; {
		page, err := h.client(bob).ListMessages(h.ctx, cube.MessageFilter{DialogID: dialog, IDIn: []string{msg}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) == 1 && page.Items[0].Message == "after" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the edit never reached the server over REST")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)        // the relay is written into the held connection
	proxy.Cut(1, rand.New(rand.NewPCG(1, 2))) // and dropped with it, never read by the server
	proxy.Unstall()                           // ann's next connection goes through
	b.waitMessage(msg, "ann's edit, though bob never reconnected", func(m cache.Message) bool { return m.Body == "after" })
}
