package xmppd

import (
	"context"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestChatAlertsForOfflineAndInactive(t *testing.T) {
	ts := startServer(t, nil)
	d := cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, UserID: 5, OccupantsIDs: []int64{5, 6, 7, 8}}
	ts.backend.addDialog(d)
	room := ts.srv.roomJID(d.ID)
	alice := ts.login(t, 5, "", true)
	bob := ts.login(t, 6, "", true) // online, active
	carol := ts.login(t, 7, "", true)
	carol.write(`<iq type='set' id='m1'><mobile xmlns='` + cube.NSMobile + `' enable='true'/></iq>`) // inactive
	carol.nextIQ()
	// user 8 is offline

	cases := []struct {
		name   string
		params []cube.Param
		muted  bool
		want   []int64 // who gets an alert
	}{
		{"stored message", []cube.Param{saveParam}, false, []int64{7, 8}},
		{"silent", []cube.Param{saveParam, {Name: "silent", Value: "1"}}, false, nil},
		{"not stored", nil, false, nil},
		{"offline user muted the dialog", []cube.Param{saveParam}, true, []int64{7}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.muted {
				ts.backend.muteDialog(d.ID, 8)
			}
			id := cube.NewObjectID()
			m := &cube.MessageStanza{To: room, Type: cube.GroupChatType, ID: id, Body: cube.Str("hi")}
			if tc.params != nil {
				m.Extra = &cube.ExtraParams{Params: tc.params}
			}
			alice.writeElem(m)
			for _, c := range []*rawClient{alice, bob, carol} {
				c.nextMessage()
			}
			alice.ping("p")
			for _, uid := range []int64{5, 6, 7, 8} {
				got := slices.Contains(ts.backend.alertsOf(uid), id)
				if got != slices.Contains(tc.want, uid) {
					t.Fatalf("user %d alerted=%v, want alerts for %v", uid, got, tc.want)
				}
			}
		})
	}

	// Active again: no more alerts for carol. 1-1 follows the same rule.
	carol.write(`<iq type='set' id='m2'><mobile xmlns='` + cube.NSMobile + `' enable='false'/></iq>`)
	carol.nextIQ()
	for _, rid := range []int64{7, 8} {
		id := cube.NewObjectID()
		alice.writeElem(chat(ts.srv.userJID(rid), id, "1-1", saveParam))
		alice.ping("p")
		if got := slices.Contains(ts.backend.alertsOf(rid), id); got != (rid == 8) {
			t.Fatalf("1-1 to %d alerted=%v", rid, got)
		}
	}
}

func TestAlertRecipientsRespectsPrivacy(t *testing.T) {
	ts := startServer(t, nil)
	bob := ts.login(t, 6, "", true)
	bob.privacyIQ("set", blockList) // blocks 5 one way
	bob.privacyIQ("set", `<default name='myList'/>`)
	bob.write(`</stream:stream>`)
	waitOffline(t, ts, 6)
	d := &cube.Dialog{ID: cube.NewObjectID(), Type: cube.DialogGroup, OccupantsIDs: []int64{5, 6, 7}}
	got := ts.srv.AlertRecipients(context.Background(), d, 5, false)
	if !slices.Equal(got, []int64{7}) {
		t.Fatalf("recipients %v, want [7] (6 blocks the sender)", got)
	}
	if got := ts.srv.AlertRecipients(context.Background(), d, 7, false); !slices.Equal(got, []int64{5, 6}) {
		t.Fatalf("recipients %v, want [5 6]", got)
	}
}
