package xmppd

import (
	"strconv"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

func TestGroupChatFanOut(t *testing.T) {
	ts := startServer(t, nil)
	d := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, UserID: 5, OccupantsIDs: []int64{5, 6, 7}}
	ts.backend.addDialog(d)
	room := ts.srv.roomJID(d.ID)
	alice := ts.login(t, 5, "", true)
	aliceDesk := ts.login(t, 5, "desk", true)
	bob := ts.login(t, 6, "", true)
	carol := ts.login(t, 7, "", true)
	mallory := ts.login(t, 8, "", true)

	id := cube.NewObjectID()
	alice.writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: id, Body: cube.Str("hi all"),
		Extra: &cube.ExtraParams{Params: []cube.Param{saveParam}}})
	for _, c := range []*rawClient{alice, aliceDesk, bob, carol} {
		got := c.nextMessage()
		if got.From != room+"/5" || got.ID != id || got.Type != cube.GroupChatType || got.To != c.jid ||
			got.Extra.Get("dialog_id") != d.ID || got.Extra.Get("date_sent") == "" {
			t.Fatalf("%s got %+v", c.jid, got)
		}
	}
	mallory.expectSilence(100 * time.Millisecond)
	stored := ts.backend.stored()
	if len(stored) != 1 || stored[0].RecipientID != 0 || stored[0].ChatDialogID != d.ID || stored[0].SenderID != 5 {
		t.Fatalf("stored %+v", stored)
	}

	// Typing reaches the other occupants only.
	bob.write(`<message to='` + room + `' type='groupchat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`)
	for _, c := range []*rawClient{alice, aliceDesk, carol} {
		if got := c.nextMessage(); got.Composing == nil || got.From != room+"/6" {
			t.Fatalf("%s got %+v", c.jid, got)
		}
	}
	bob.expectSilence(100 * time.Millisecond)

	// A non-occupant is refused with forbidden/403 and nobody hears it.
	mallory.writeElem(&cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: "bad1", Body: cube.Str("let me in")})
	got := mallory.nextMessage()
	if got.Type != cube.ErrorType || got.Error == nil || got.Error.Code != "403" || got.Error.Condition.XMLName.Local != "forbidden" {
		t.Fatalf("non-occupant got %+v", got)
	}
	alice.expectSilence(100 * time.Millisecond)
}

func TestMUCJoinPresence(t *testing.T) {
	ts := startServer(t, nil)
	d := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, UserID: 5, OccupantsIDs: []int64{5, 6}}
	ts.backend.addDialog(d)
	room := ts.srv.roomJID(d.ID)
	cases := []struct {
		name    string
		uid     int64
		wantErr string
	}{
		{"occupant", 6, ""},
		{"non-occupant", 7, "403"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ts.login(t, tc.uid, "", true)
			c.write(`<presence id='j1' to='` + room + `/` + strconv.FormatInt(tc.uid, 10) + `'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`)
			v := c.next(3 * time.Second)
			p, ok := v.(*presenceOut)
			if !ok || p.ID != "j1" {
				t.Fatalf("want presence j1, got %T %+v", v, v)
			}
			if tc.wantErr != "" {
				if p.Type != "error" || p.Error == nil || p.Error.Code != tc.wantErr {
					t.Fatalf("want error %s, got %+v", tc.wantErr, p)
				}
				return
			}
			if p.Type != "" || p.From != room+"/"+strconv.FormatInt(tc.uid, 10) || p.MUCUser == nil ||
				len(p.MUCUser.Status) != 1 || p.MUCUser.Status[0].Code != "110" {
				t.Fatalf("self-presence %+v", p)
			}
		})
	}
}
