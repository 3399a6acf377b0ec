package integration_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// The account calls against a real cubeserver: profile, password, deletion, reading a
// user by id, who is online, the reset request; and what they do to chat connections.

func TestProfileUpdateAgainstServer(t *testing.T) {
	srv := startServer(t)
	alice, bob := login(t, srv, "alice"), login(t, srv, "bob")
	ctx := context.Background()

	u, err := alice.rest.UpdateUser(ctx, alice.ID, cube.UserUpdate{FullName: cube.Str("Alice Liddell"),
		Website: cube.Str("alice.example"), Tags: &[]string{"beta"}})
	if err != nil || u.FullName != "Alice Liddell" || u.Website != "alice.example" || u.UserTags != "beta" {
		t.Fatalf("update: %+v %v", u, err)
	}
	seen, err := bob.rest.UserByID(ctx, alice.ID)
	if err != nil || seen.FullName != "Alice Liddell" {
		t.Fatalf("bob reads alice: %+v %v", seen, err)
	}
	if u, err = alice.rest.UpdateUser(ctx, alice.ID, cube.UserUpdate{Website: cube.Str("")}); err != nil || u.Website != "" || u.FullName != "Alice Liddell" {
		t.Fatalf("clearing the website: %+v %v", u, err)
	}
	if _, err := bob.rest.UpdateUser(ctx, alice.ID, cube.UserUpdate{FullName: cube.Str("Mallory")}); !cube.IsStatus(err, 403) {
		t.Fatalf("bob changing alice: %v", err)
	}
	if _, err := bob.rest.UserByID(ctx, 987654); !cube.IsStatus(err, 404) {
		t.Fatalf("unknown id: %v", err)
	}
	if err := bob.rest.RequestPasswordReset(ctx, "alice@example.com"); err != nil {
		t.Fatalf("reset request: %v", err)
	}
}

func TestPasswordChangeAgainstServer(t *testing.T) {
	srv := startServer(t)
	alice := login(t, srv, "alice")
	ctx := context.Background()
	// A second device of alice's, chatting with its own session token.
	other := cube.NewClient(alice.rest.Config())
	if _, err := other.CreateSession(ctx, "alice", "alice-pass-1"); err != nil {
		t.Fatal(err)
	}
	otherChat := cube.NewChat(other.Config(), cube.ChatOptions{UserID: alice.ID, Password: other.Token(),
		Reconnect: &cube.ReconnectPolicy{Attempts: 1, Interval: 10 * time.Millisecond}})
	if err := otherChat.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { otherChat.Disconnect() })
	waitEvent(t, otherChat, func(e cube.StateEvent) bool { return e.State == cube.Ready })
	// This device chats with the token that makes the change.
	alice.connect(t, cube.ChatOptions{Reconnect: &cube.ReconnectPolicy{Attempts: 3, Interval: 10 * time.Millisecond}})

	if err := alice.rest.ChangePassword(ctx, alice.ID, "wrong", "alice-pass-2"); !cube.IsWrongOldPassword(err) {
		t.Fatalf("wrong old password: %v", err)
	}
	if err := alice.rest.ChangePassword(ctx, alice.ID, "alice-pass-1", "alice-pass-2"); err != nil {
		t.Fatal(err)
	}
	// The other device's session is over, and its chat cannot come back.
	if _, err := other.GetSession(ctx); !cube.IsSessionExpired(err) {
		t.Fatalf("the other session survived: %v", err)
	}
	waitEvent(t, otherChat, func(e cube.StateEvent) bool { return e.State == cube.AuthenticationFailure || e.State == cube.Closed })
	// This device's token still holds: its chat was reset and signs in again.
	waitEvent(t, alice.chat, func(e cube.StateEvent) bool { return e.State == cube.Ready })
	if _, err := alice.rest.GetSession(ctx); err != nil {
		t.Fatalf("the changing session ended: %v", err)
	}
	fresh := cube.NewClient(alice.rest.Config())
	if _, err := fresh.CreateSession(ctx, "alice", "alice-pass-1"); !cube.IsStatus(err, 401) {
		t.Fatalf("the old password still signs in: %v", err)
	}
	if _, err := fresh.CreateSession(ctx, "alice", "alice-pass-2"); err != nil {
		t.Fatalf("the new password: %v", err)
	}
}

func TestOnlineUsersAndDeletionAgainstServer(t *testing.T) {
	srv := startServer(t)
	alice, bob, carol := login(t, srv, "alice"), login(t, srv, "bob"), login(t, srv, "carol")
	ctx := context.Background()
	alice.connect(t, cube.ChatOptions{})
	bob.connect(t, cube.ChatOptions{})

	online, err := carol.rest.OnlineUsers(ctx, 10, 0)
	ids := func(us []cube.User) []int64 {
		var out []int64
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	if err != nil || !slices.Equal(ids(online), []int64{alice.ID, bob.ID}) {
		t.Fatalf("online: %v %v", ids(online), err)
	}
	if n, err := carol.rest.OnlineUsersCount(ctx); err != nil || n != 2 {
		t.Fatalf("online count: %d %v", n, err)
	}
	if page, err := carol.rest.OnlineUsers(ctx, 1, 1); err != nil || !slices.Equal(ids(page), []int64{bob.ID}) {
		t.Fatalf("second page: %v %v", ids(page), err)
	}

	group := alice.team(t, bob, carol)
	if err := bob.rest.DeleteUser(ctx, alice.ID); !cube.IsStatus(err, 403) {
		t.Fatalf("bob deleting alice: %v", err)
	}
	if err := alice.rest.DeleteUser(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	// Her chat is thrown out for good; she is no longer online; bob owns the group.
	waitEvent(t, alice.chat, func(e cube.StateEvent) bool { return e.State == cube.ForceClosed })
	if n, err := carol.rest.OnlineUsersCount(ctx); err != nil || n != 1 {
		t.Fatalf("online count after the deletion: %d %v", n, err)
	}
	list, err := bob.rest.ListDialogs(ctx, cube.DialogFilter{IDIn: []string{group.ID}})
	if err != nil || len(list.Items) != 1 || list.Items[0].UserID != bob.ID || slices.Contains(list.Items[0].OccupantsIDs, alice.ID) {
		t.Fatalf("the group after alice left for good: %+v %v", list, err)
	}
	if _, err := carol.rest.UserByID(ctx, alice.ID); !cube.IsStatus(err, 404) {
		t.Fatalf("a deleted user is still found: %v", err)
	}
}
