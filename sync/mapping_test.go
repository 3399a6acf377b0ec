package sync

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

func TestMessageFromWireState(t *testing.T) {
	const me, peer = 10, 20
	cases := []struct {
		name string
		in   cube.Message
		want cache.MessageState
	}{
		{"own, nobody else", cube.Message{SenderID: me, ReadIDs: []int64{me}, DeliveredIDs: []int64{me}}, cache.StateSent},
		{"own, delivered", cube.Message{SenderID: me, ReadIDs: []int64{me}, DeliveredIDs: []int64{me, peer}}, cache.StateDelivered},
		{"own, read", cube.Message{SenderID: me, ReadIDs: []int64{me, peer}, DeliveredIDs: []int64{me, peer}}, cache.StateRead},
		{"own, read but not delivered (read wins)", cube.Message{SenderID: me, ReadIDs: []int64{peer}}, cache.StateRead},
		{"peer's, read by me", cube.Message{SenderID: peer, ReadIDs: []int64{peer, me}, DeliveredIDs: []int64{peer, me}}, cache.StateSent},
		{"peer's, no lists", cube.Message{SenderID: peer}, cache.StateSent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.ID, c.in.ChatDialogID = "m1", "d1"
			if got := messageFromWire(c.in, me).State; got != c.want {
				t.Fatalf("state = %q, want %q", got, c.want)
			}
		})
	}
}

func TestMessageFromWireFields(t *testing.T) {
	in := cube.Message{
		ID: "65f000000000000000000001", ChatDialogID: "65f0000000000000000000aa", Message: "hi <b>",
		DateSent: 1_700_000_123_456, // milliseconds, as the Dart SDK sends them
		SenderID: 20, RecipientID: 10, ReadIDs: []int64{20, 10}, DeliveredIDs: []int64{20, 10}, Deleted: true,
		Attachments: []cube.Attachment{{Type: "image", ID: "7", UID: "u1", URL: "http://x/u1", Name: "a.png",
			ContentType: "image/png", Size: 12, Width: 3, Height: 4}},
		Custom: map[string]any{"country": "USA", "save_to_history": "1", "dialog_id": "x", "date_sent": "1"},
	}
	got := messageFromWire(in, 10)
	want := cache.Message{
		ID: in.ID, DialogID: in.ChatDialogID, SenderID: 20, RecipientID: 10, Body: "hi <b>",
		SentAt: time.UnixMilli(1_700_000_123_456).UTC(), State: cache.StateSent,
		Attachments: []cache.Attachment{{Type: "image", ID: "7", UID: "u1", URL: "http://x/u1", Name: "a.png",
			ContentType: "image/png", Size: 12, Width: 3, Height: 4}},
		Custom:       map[string]any{"country": "USA"},
		ReadIDs:      []int64{20, 10},
		DeliveredIDs: []int64{20, 10},
		Deleted:      true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("messageFromWire:\n got %+v\nwant %+v", got, want)
	}
}

func TestDialogFromWire(t *testing.T) {
	photo, last, lastID := "p.png", "bye", "65f000000000000000000009"
	var date, lastUser int64 = 1_700_000_000, 20
	unread := 7
	updated := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	full := cube.Dialog{
		ID: "d1", UserID: 10, Type: cube.DialogGroup, Name: "team", Photo: &photo,
		OccupantsIDs: []int64{10, 20, 30}, AdminsIDs: []int64{10},
		LastMessage: &last, LastMessageID: &lastID, LastMessageDateSent: &date, LastMessageUserID: &lastUser,
		UnreadMessagesCount: &unread, UpdatedAt: cube.TimeOf(updated),
	}
	cases := []struct {
		name string
		in   cube.Dialog
		want cache.Dialog
	}{
		{"all fields", full, cache.Dialog{
			ID: "d1", Type: cube.DialogGroup, Name: "team", Photo: "p.png", OwnerID: 10,
			OccupantIDs: []int64{10, 20, 30}, AdminIDs: []int64{10},
			LastMessage: "bye", LastMessageID: lastID, LastMessageAt: time.Unix(date, 0).UTC(), LastMessageUserID: 20,
			UnreadCount: 7, UpdatedAt: updated,
		}},
		{"nulls", cube.Dialog{ID: "d2", Type: cube.DialogPrivate, OccupantsIDs: []int64{10, 20}},
			cache.Dialog{ID: "d2", Type: cube.DialogPrivate, OccupantIDs: []int64{10, 20}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := dialogFromWire(c.in); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("dialogFromWire:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestOutgoingFromCache(t *testing.T) {
	d := cache.Dialog{ID: "d1", Type: cube.DialogPrivate, OccupantIDs: []int64{10, 20}}
	m := cache.Message{ID: "m1", DialogID: "d1", SenderID: 10, RecipientID: peerOf(d, 10), Body: "yo",
		Custom: map[string]any{"k": "v"}, Attachments: []cache.Attachment{{Type: "file", UID: "u"}}}
	got := outgoingFromCache(m, d, 1_700_000_000)
	want := cube.OutgoingMessage{ID: "m1", DialogID: "d1", DialogType: cube.DialogPrivate, RecipientID: 20,
		Body: "yo", SaveToHistory: true, DateSent: 1_700_000_000,
		Attachments: []cube.Attachment{{Type: "file", UID: "u"}}, Custom: map[string]any{"k": "v"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("outgoingFromCache:\n got %+v\nwant %+v", got, want)
	}
	if g := peerOf(cache.Dialog{Type: cube.DialogGroup, OccupantIDs: []int64{10, 20}}, 10); g != 0 {
		t.Fatalf("peerOf(group) = %d, want 0", g)
	}
}

func TestAccountFromWireDropsPassword(t *testing.T) {
	acc, err := accountFromWire(cube.User{ID: 5, Login: "ann", FullName: "Ann", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	if acc.UserID != 5 || acc.Login != "ann" || acc.FullName != "Ann" {
		t.Fatalf("account = %+v", acc)
	}
	if want := "secret"; strings.Contains(acc.Profile, want) {
		t.Fatalf("profile keeps the password: %s", acc.Profile)
	}
}
