package xmppd

import (
	"context"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// slowCompletion is the store, with the completion of any message whose text starts
// with "slow" held back: its write commits at once, but its connection learns so late,
// as a busy connection's completer would.
type slowCompletion struct{ *store.Store }

func (s slowCompletion) StoreChatMessageAsync(ctx context.Context, m cube.Message) func() (bool, error) {
	wait := s.Store.StoreChatMessageAsync(ctx, m)
	if !strings.HasPrefix(m.Message, "slow") {
		return wait
	}
	return func() (bool, error) {
		time.Sleep(300 * time.Millisecond)
		return wait()
	}
}

// TestGroupMessagesReachOthersInStoreOrder: alice's message is stored before bob's,
// but her connection completes it later; carol must still get alice's first, as the
// server lists them (fanout_order.go).
func TestGroupMessagesReachOthersInStoreOrder(t *testing.T) {
	ts, st, ids := startWrappedStoreServer(t, func(st *store.Store) Backend { return slowCompletion{st} },
		"alice", "bob", "carol")
	aliceID, bobID, carolID := ids[0], ids[1], ids[2]
	ctx := context.Background()
	dialogID := cube.NewObjectID()
	room := cube.RoomJID(1, dialogID, "localhost")
	if _, _, err := st.CreateDialog(ctx, store.NewDialog{ID: dialogID, Type: cube.DialogGroup, OwnerID: aliceID,
		Name: "order", RoomJID: room, OccupantIDs: []int64{bobID, carolID}}); err != nil {
		t.Fatal(err)
	}
	alice := ts.login(t, aliceID, "", true)
	bob := ts.login(t, bobID, "", true)
	carol := ts.login(t, carolID, "", true)
	send := func(c *rawClient, id, text string) {
		b, err := xml.Marshal(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: id, Body: cube.Str(text),
			Extra: &cube.ExtraParams{Params: []cube.Param{saveParam, {Name: "date_sent", Value: "1700000000"}}}})
		if err != nil {
			t.Fatal(err)
		}
		c.write(string(b))
	}
	first, second := cube.NewObjectID(), cube.NewObjectID()
	send(alice, first, "slow, stored first")
	for deadline := time.Now().Add(5 * time.Second); ; {
		n, err := st.CountMessages(ctx, store.MessageQuery{DialogID: dialogID, Viewer: carolID})
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("alice's message was never stored")
		}
		time.Sleep(5 * time.Millisecond)
	}
	send(bob, second, "fast, stored second")

	for i, want := range []string{first, second} {
		if m := carol.nextMessage(); m.ID != want {
			t.Fatalf("carol's message %d is %s (%q), want %s: not the store's order", i, m.ID, m.BodyText(), want)
		}
	}
	list, err := st.ListMessages(ctx, store.MessageQuery{DialogID: dialogID, Viewer: carolID})
	if err != nil || len(list) != 2 || list[0].ID != first || list[1].ID != second {
		t.Fatalf("the store lists %+v (%v), want alice's then bob's", list, err)
	}
}

// TestDialogTurnsWaitOnlyForTheirDialogAndLeaveNothingBehind: a turn waits for the
// one before it in its own dialog, never for another dialog's, and once every turn is
// finished nothing is kept.
func TestDialogTurnsWaitOnlyForTheirDialogAndLeaveNothingBehind(t *testing.T) {
	var d dialogTurns
	first := d.take("a", func() {})
	second := d.take("a", func() {})
	other := d.take("b", func() {})

	waited := make(chan struct{})
	go func() {
		second.wait()
		close(waited)
	}()
	other.wait() // nothing before it in dialog b: returns at once
	select {
	case <-waited:
		t.Fatal("the second turn of dialog a went before the first finished")
	case <-time.After(50 * time.Millisecond):
	}
	first.finish()
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("the second turn of dialog a still waits after the first finished")
	}
	second.finish()
	other.finish()
	if len(d.last) != 0 {
		t.Fatalf("%d dialogs still hold a turn after every turn finished", len(d.last))
	}
}
