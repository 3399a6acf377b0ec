package xmppd

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"testing"
	"time"

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

// Group messages are pipelined the same way: every occupant, the sender's echo
// included, gets them in the order sent, and the ack covers only stored ones.
func TestPipelinedGroupMessagesKeepOrder(t *testing.T) {
	ts, st, aliceID, bobID := startStoreServer(t)
	ctx := context.Background()
	dialogID := cube.NewObjectID()
	room := cube.RoomJID(1, dialogID, "localhost")
	if _, _, err := st.CreateDialog(ctx, store.NewDialog{ID: dialogID, Type: cube.DialogGroup, OwnerID: aliceID,
		Name: "pipelined", RoomJID: room, OccupantIDs: []int64{bobID}}); err != nil {
		t.Fatal(err)
	}
	alice, _ := ts.smLogin(t, aliceID, false)
	bob := ts.login(t, bobID, "", true)

	var burst bytes.Buffer
	var want []string
	for i := range 30 {
		id := cube.NewObjectID()
		params := []cube.Param{saveParam}
		if i == 15 {
			params = nil // not stored: fanned out in its place
		}
		b, err := xml.Marshal(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: id,
			Body: cube.Str(fmt.Sprint("group ", i)), Extra: &cube.ExtraParams{Params: params}})
		if err != nil {
			t.Fatal(err)
		}
		burst.Write(b)
		want = append(want, id)
	}
	alice.write(burst.String() + `<r xmlns='urn:xmpp:sm:3'/>`)

	for i, id := range want {
		if m := bob.nextMessage(); m.ID != id {
			t.Fatalf("bob's message %d is %s (%q), sent %s", i, m.ID, m.BodyText(), id)
		}
	}
	var echoes []string
	for {
		v := alice.next(3 * time.Second)
		if m, ok := v.(*cube.MessageStanza); ok {
			echoes = append(echoes, m.ID)
			continue
		}
		n, ok := v.(*node)
		if !ok || n.XMLName.Space != nsSM {
			t.Fatalf("alice got %T %+v", v, v)
		}
		if n.XMLName.Local == "a" {
			if n.attr("h") != fmt.Sprint(len(want)) {
				t.Fatalf("h = %s, want %d", n.attr("h"), len(want))
			}
			break
		}
	}
	if fmt.Sprint(echoes) != fmt.Sprint(want) {
		t.Fatalf("alice's echoes %v, sent %v", echoes, want)
	}
	n, err := st.CountMessages(ctx, store.MessageQuery{DialogID: dialogID, Viewer: bobID})
	if err != nil || n != len(want)-1 {
		t.Fatalf("stored %d of %d once acknowledged: %v", n, len(want)-1, err)
	}
}

// 1-1 markers are pipelined too: recorded in the store before anything after them is
// answered, and relayed in the order sent.
func TestPipelinedMarkersAreRecordedAndRelayedInOrder(t *testing.T) {
	ts, st, aliceID, bobID := startStoreServer(t)
	ctx := context.Background()
	alice := ts.login(t, aliceID, "", true)
	bob := ts.login(t, bobID, "", true)
	bobJID, aliceJID := ts.srv.userJID(bobID), ts.srv.userJID(aliceID)
	var ids []string
	for i := range 10 {
		id := cube.NewObjectID()
		alice.writeElem(chat(bobJID, id, fmt.Sprint("mark me ", i), saveParam))
		if m := bob.nextMessage(); m.ID != id {
			t.Fatalf("bob got %s, want %s", m.ID, id)
		}
		ids = append(ids, id)
	}
	var burst bytes.Buffer
	for i, id := range ids {
		fmt.Fprintf(&burst, `<message type='chat' to='%s' id='mk%d'><received xmlns='urn:xmpp:chat-markers:0' id='%s'/></message>`,
			cube.BareJID(aliceJID), i, id)
	}
	bob.write(burst.String())
	bob.ping("after-markers") // answered only after the markers before it are done
	for _, id := range ids {
		m, err := st.Message(ctx, id, aliceID)
		if err != nil || len(m.DeliveredIDs) != 2 {
			t.Fatalf("message %s delivered to %v (%v) once the ping is answered", id, m.DeliveredIDs, err)
		}
	}
	for i, id := range ids {
		m := alice.nextMessage()
		if m.Received == nil || m.Received.ID != id {
			t.Fatalf("alice's marker %d is %+v, want received of %s", i, m.Received, id)
		}
	}
}
