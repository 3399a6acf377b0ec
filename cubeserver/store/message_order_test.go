package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// randomID is an id like the JS SDK 6 makes: random within a second, so sorting by id
// says nothing about the order messages were sent in.
func randomID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// TestSameSecondMessagesListInArrivalOrder: 30 messages stored within one second list in
// the order the server stored them, and sort_desc is the exact reverse.
func TestSameSecondMessagesListInArrivalOrder(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b, c := mustUser(t, s, "a"), mustUser(t, s, "b"), mustUser(t, s, "c")
	g, _, err := s.CreateDialog(ctx, NewDialog{Type: cube.DialogGroup, OwnerID: a.ID, Name: "g",
		OccupantIDs: []int64{b.ID, c.ID}})
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for range 30 {
		m := cube.Message{ID: randomID(t), ChatDialogID: g.ID, SenderID: a.ID, Message: "burst",
			DateSent: 1_700_000_000}
		if _, err := s.StoreChatMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, m.ID)
	}
	ids := func(desc bool) []string {
		ms, err := s.ListMessages(ctx, MessageQuery{DialogID: g.ID, Viewer: b.ID, SortDesc: desc})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	if asc := ids(false); !slices.Equal(asc, sent) {
		t.Fatalf("ascending order differs from arrival:\n got %v\nwant %v", asc, sent)
	}
	desc, want := ids(true), slices.Clone(sent)
	slices.Reverse(want)
	if !slices.Equal(desc, want) {
		t.Fatalf("descending order is not the reverse of arrival:\n got %v\nwant %v", desc, want)
	}
	// The dialog's last message is the last one stored, not the largest id.
	d, err := s.DialogFor(ctx, g.ID, a.ID)
	if err != nil || d.LastMessageID == nil || *d.LastMessageID != sent[len(sent)-1] {
		t.Fatalf("last message = %v (err %v), want %s", d.LastMessageID, err, sent[len(sent)-1])
	}
}
