package integration_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// TestListOnlineUsersAgainstServer: the room of a group answers with the occupants that
// are connected, and the list follows a sign-in.
func TestListOnlineUsersAgainstServer(t *testing.T) {
	srv := startServer(t)
	alice, bob, carol := login(t, srv, "alice"), login(t, srv, "bob"), login(t, srv, "carol")
	ctx := context.Background()
	group := alice.team(t, bob, carol)
	alice.connect(t, cube.ChatOptions{})
	got, err := alice.chat.ListOnlineUsers(ctx, group.ID)
	if err != nil || !slices.Equal(got, []int64{alice.ID}) {
		t.Fatalf("online with alice alone = %v, %v", got, err)
	}
	bob.connect(t, cube.ChatOptions{})
	got, err = alice.chat.ListOnlineUsers(ctx, group.ID)
	if want := []int64{alice.ID, bob.ID}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("online after bob connected = %v, %v; want %v", got, err, want)
	}
	if _, err := alice.chat.ListOnlineUsers(ctx, ""); err == nil {
		t.Fatal("an empty dialog id was accepted")
	}
}
