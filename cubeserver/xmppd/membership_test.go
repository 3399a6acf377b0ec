package xmppd

import (
	"context"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// Routing reads the dialog's occupants from the store on every message (nothing is
// cached in xmppd), so an occupant removed over REST stops receiving at once, and
// may no longer write to the room.
func TestRemovedOccupantStopsReceivingAtOnce(t *testing.T) {
	ts, st, aliceID, bobID := startStoreServer(t)
	ctx := context.Background()
	carol, err := st.CreateUser(ctx, cube.User{Login: "carol"}, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	dialogID := cube.NewObjectID()
	room := ts.srv.roomJID(dialogID)
	if _, _, err := st.CreateDialog(ctx, store.NewDialog{ID: dialogID, Type: cube.DialogGroup, OwnerID: aliceID,
		Name: "g", RoomJID: room, OccupantIDs: []int64{bobID, carol.ID}}); err != nil {
		t.Fatal(err)
	}
	alice := ts.login(t, aliceID, "", true)
	bob := ts.login(t, bobID, "", true)
	carolC := ts.login(t, carol.ID, "", true)
	send := func(body string) string {
		id := cube.NewObjectID()
		alice.writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: id, Body: cube.Str(body),
			Extra: &cube.ExtraParams{Params: []cube.Param{saveParam}}})
		if echo := alice.nextMessage(); echo.ID != id {
			t.Fatalf("alice's echo %+v", echo)
		}
		return id
	}

	first := send("before")
	for _, c := range []*rawClient{bob, carolC} {
		if got := c.nextMessage(); got.ID != first {
			t.Fatalf("%s got %+v, want %s", c.jid, got, first)
		}
	}

	if _, err := st.UpdateDialog(ctx, dialogID, aliceID, store.DialogChanges{PullOccupants: []int64{carol.ID}}); err != nil {
		t.Fatal(err)
	}
	second := send("after")
	if got := bob.nextMessage(); got.ID != second {
		t.Fatalf("bob got %+v, want %s", got, second)
	}
	carolC.expectSilence(200 * time.Millisecond)

	carolC.writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: "late", Body: cube.Str("still here?")})
	if got := carolC.nextMessage(); got.Type != cube.ErrorType || got.Error == nil || got.Error.Code != "403" {
		t.Fatalf("removed occupant's message answered with %+v, want forbidden", got)
	}
	bob.expectSilence(100 * time.Millisecond)
}
