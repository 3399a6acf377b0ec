package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestReactReplacesAndTombstonesCount(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b, x := mustUser(t, s, "a"), mustUser(t, s, "b"), mustUser(t, s, "x")
	d, err := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 3 {
		m := cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID, SenderID: a.ID, RecipientID: b.ID,
			Message: string(rune('a' + i)), DateSent: 1_700_000_000 + int64(i)}
		if _, err := s.StoreChatMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}

	steps := []struct {
		user        int64
		add, remove string
		want        ReactionChange
	}{
		{b.ID, "👍", "", ReactionChange{DialogID: d.ID, Added: "👍"}},
		{b.ID, "🔥", "", ReactionChange{DialogID: d.ID, Added: "🔥", Removed: []string{"👍"}}},
		{b.ID, "🔥", "", ReactionChange{DialogID: d.ID}},             // already there
		{b.ID, "", "👍", ReactionChange{DialogID: d.ID}},             // not b's reaction
		{a.ID, "🔥", "", ReactionChange{DialogID: d.ID, Added: "🔥"}}, // a's own
	}
	for i, st := range steps {
		got, err := s.React(ctx, ids[0], st.user, st.add, st.remove)
		if err != nil || got.DialogID != st.want.DialogID || got.Added != st.want.Added || !slices.Equal(got.Removed, st.want.Removed) {
			t.Fatalf("step %d: %+v, %v; want %+v", i, got, err, st.want)
		}
	}
	if _, err := s.React(ctx, ids[0], x.ID, "👍", ""); !errors.Is(err, ErrNotOccupant) {
		t.Fatalf("outsider reacted: %v", err)
	}
	byType, err := s.MessageReactions(ctx, ids[0], a.ID)
	if err != nil || !slices.Equal(byType["🔥"], []int64{b.ID, a.ID}) || len(byType) != 1 {
		t.Fatalf("reactions %v, %v", byType, err)
	}

	// Deleting for everyone: a tombstone, unread counts and the last message follow.
	out, err := s.DeleteMessages(ctx, a.ID, []string{ids[2], ids[0], "nope"}, true)
	if err != nil || len(out.Deleted) != 2 || !slices.Equal(out.NotFound, []string{"nope"}) {
		t.Fatalf("delete: %+v, %v", out, err)
	}
	dv, err := s.DialogFor(ctx, d.ID, b.ID)
	if err != nil || *dv.UnreadMessagesCount != 1 || *dv.LastMessageID != ids[1] {
		t.Fatalf("after delete: %+v, %v", dv, err)
	}
	live, err := s.ListMessages(ctx, MessageQuery{DialogID: d.ID, Viewer: b.ID})
	if err != nil || len(live) != 1 {
		t.Fatalf("live messages %d, %v", len(live), err)
	}
	all, err := s.ListMessages(ctx, MessageQuery{DialogID: d.ID, Viewer: b.ID, IncludeDeleted: true})
	if err != nil || len(all) != 3 || !all[0].Deleted || all[0].Message != "" || all[0].Reactions != nil {
		t.Fatalf("with tombstones %+v, %v", all, err)
	}
	if _, err := s.React(ctx, ids[0], b.ID, "👍", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("reacting to a deleted message: %v", err)
	}
	// b may not force-delete a's message in a private dialog, but may hide it.
	out, err = s.DeleteMessages(ctx, b.ID, []string{ids[1]}, true)
	if err != nil || !slices.Equal(out.WrongPermissions, []string{ids[1]}) {
		t.Fatalf("peer force delete: %+v, %v", out, err)
	}
	if out, err = s.DeleteMessages(ctx, b.ID, []string{ids[1]}, false); err != nil || len(out.Deleted) != 1 {
		t.Fatalf("hide: %+v, %v", out, err)
	}
	if n, _ := s.CountMessages(ctx, MessageQuery{DialogID: d.ID, Viewer: b.ID}); n != 0 {
		t.Fatalf("b still counts %d messages", n)
	}
	if n, _ := s.CountMessages(ctx, MessageQuery{DialogID: d.ID, Viewer: a.ID}); n != 1 {
		t.Fatalf("a counts %d messages, want 1", n)
	}
}

func TestRoleOf(t *testing.T) {
	d := &cube.Dialog{Type: cube.DialogGroup, UserID: 1, OccupantsIDs: []int64{1, 2, 3}, AdminsIDs: []int64{2}}
	broadcast := &cube.Dialog{Type: cube.DialogBroadcast, UserID: 1, OccupantsIDs: []int64{1}}
	tests := []struct {
		d    *cube.Dialog
		user int64
		want Role
	}{
		{d, 1, RoleOwner}, {d, 2, RoleAdmin}, {d, 3, RoleOccupant}, {d, 4, RoleNone}, {d, 0, RoleNone},
		{broadcast, 1, RoleOwner}, {broadcast, 9, RoleReader},
	}
	for _, tc := range tests {
		if got := RoleOf(tc.d, tc.user); got != tc.want {
			t.Errorf("RoleOf(type %d, %d) = %d, want %d", tc.d.Type, tc.user, got, tc.want)
		}
	}
	if RoleReader.CanPost(cube.DialogBroadcast) || !RoleAdmin.CanPost(cube.DialogBroadcast) || RoleAdmin.CanModerate(cube.DialogPrivate) {
		t.Error("role rules")
	}
}
