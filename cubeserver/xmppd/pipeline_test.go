package xmppd

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"testing"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// Stored messages written back to back are pipelined (pipeline.go), but the recipient
// gets every message in the order sent, a message that is not stored and a refused
// one keep their place, and the sender's <a h/> counts a stored message only once it
// is in the store.
func TestPipelinedMessagesKeepOrderAndAckOnlyWhatIsStored(t *testing.T) {
	ts, st, aliceID, bobID := startStoreServer(t)
	ctx := context.Background()
	d, err := st.FindOrCreatePrivateDialog(ctx, aliceID, bobID)
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := ts.smLogin(t, aliceID, false)
	bob := ts.login(t, bobID, "", true)
	bobJID := ts.srv.userJID(bobID)
	inDialog := cube.Param{Name: "dialog_id", Value: d.ID}

	var burst bytes.Buffer
	var want []string // ids bob must get, in order
	stored := 0
	add := func(m *cube.MessageStanza) {
		b, err := xml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		burst.Write(b)
	}
	for i := range 41 {
		id := cube.NewObjectID()
		switch {
		case i == 20: // not stored: routed in its place
			add(chat(bobJID, id, "not stored", inDialog))
		default:
			add(chat(bobJID, id, fmt.Sprint("stored ", i), saveParam, inDialog,
				cube.Param{Name: "date_sent", Value: "1700000000"}))
			stored++
		}
		want = append(want, id)
	}
	// Refused (a dialog that does not exist): bounced, and counted as handled.
	add(chat(bobJID, "refused", "no", saveParam, cube.Param{Name: "dialog_id", Value: cube.NewObjectID()}))
	alice.write(burst.String() + `<r xmlns='urn:xmpp:sm:3'/>`)

	for i, id := range want {
		if m := bob.nextMessage(); m.ID != id {
			t.Fatalf("bob's message %d is %s (%q), sent %s", i, m.ID, m.BodyText(), id)
		}
	}
	if m := alice.nextMessage(); m.ID != "refused" || m.Type != cube.ErrorType {
		t.Fatalf("alice got %+v, want the bounce", m)
	}
	if a := alice.nextSM("a"); a.attr("h") != fmt.Sprint(len(want)+1) {
		t.Fatalf("h = %s, want %d", a.attr("h"), len(want)+1)
	}
	n, err := st.CountMessages(ctx, store.MessageQuery{DialogID: d.ID, Viewer: bobID})
	if err != nil || n != stored {
		t.Fatalf("stored %d of %d once acknowledged: %v", n, stored, err)
	}
	// Stored in the order sent (one date_sent: listed by arrival).
	list, err := st.ListMessages(ctx, store.MessageQuery{DialogID: d.ID, Viewer: bobID})
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for i, id := range want {
		if i == 20 {
			continue
		}
		if list[k].ID != id {
			t.Fatalf("stored message %d is %s, sent %s", k, list[k].ID, id)
		}
		k++
	}
}
