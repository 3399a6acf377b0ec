package xmppd

import (
	"strconv"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// TestBroadcastReachesEveryOnlineUser: a broadcast dialog's occupants_ids hold only the
// owner, yet the owner's message and an admin's (who does not occupy it) reach every
// online user live and are stored; a reader may join the room but not post.
func TestBroadcastReachesEveryOnlineUser(t *testing.T) {
	ts := startServer(t, nil)
	d := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogBroadcast, UserID: 5, OccupantsIDs: []int64{5},
		AdminsIDs: []int64{6}}
	ts.backend.addDialog(d)
	room := ts.srv.roomJID(d.ID)
	owner := ts.login(t, 5, "", true)
	admin := ts.login(t, 6, "", true)
	reader := ts.login(t, 7, "", true)
	readerPhone := ts.login(t, 7, "phone", true)
	other := ts.login(t, 8, "", true)

	// A reader joins the room: accepted, as a visitor.
	reader.write(`<presence id='j1' to='` + room + `/7'><x xmlns='http://jabber.org/protocol/muc'/></presence>`)
	p, ok := reader.next(3 * time.Second).(*presenceOut)
	if !ok || p.ID != "j1" || p.Type != "" || p.MUCUser == nil || p.MUCUser.Item.Role != "visitor" {
		t.Fatalf("reader's join answered %+v", p)
	}

	for _, sender := range []struct {
		c   *rawClient
		uid int64
	}{{owner, 5}, {admin, 6}} {
		id := cube.NewObjectID()
		sender.c.writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: id, Body: cube.Str("news"),
			Extra: &cube.ExtraParams{Params: []cube.Param{saveParam}}})
		from := room + "/" + strconv.FormatInt(sender.uid, 10)
		for _, c := range []*rawClient{owner, admin, reader, readerPhone, other} {
			if got := c.nextMessage(); got.ID != id || got.From != from || got.Extra.Get("dialog_id") != d.ID {
				t.Fatalf("%s got %+v, want %s from %s", c.jid, got, id, from)
			}
		}
	}
	if stored := ts.backend.stored(); len(stored) != 2 || stored[1].SenderID != 6 {
		t.Fatalf("stored %+v", stored)
	}

	// A reader may not post; nobody hears it.
	reader.writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: "r1", Body: cube.Str("me too")})
	if got := reader.nextMessage(); got.Type != cube.ErrorType || got.ID != "r1" {
		t.Fatalf("reader's post answered %+v", got)
	}
	owner.expectSilence(100 * time.Millisecond)
}
