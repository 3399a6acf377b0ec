// The fixture cache/testdata/v0001.db was made by this program, run against
// the first-wave cache package (commit 11cb44f, only migration 0001):
//   go run ./cache/testdata/genv0001 cache/testdata/v0001.db
// Running it against a later cache package would apply later migrations too.

// Command gen writes a cache file with only migration 0001 applied, filled
// through the first-wave API, as a fixture for the 0002 migration test.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/cubechat/cubechat/cache"
)

func main() {
	ctx := context.Background()
	out := os.Args[1]
	os.Remove(out)
	db, err := cache.Open(out)
	if err != nil {
		panic(err)
	}
	base := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	id := func(n int) string { return fmt.Sprintf("%024x", n) }
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(db.SaveAccount(ctx, cache.Account{UserID: 7, Login: "alice", FullName: "Alice"}))
	must(db.UpsertUsers(ctx, []cache.User{{ID: 7, Login: "alice", FullName: "Alice"}, {ID: 8, Login: "bob", FullName: "Bob", Avatar: "avatar-uid", UpdatedAt: base}}))
	must(db.UpsertDialogs(ctx, []cache.Dialog{
		{ID: "d-private", Type: 3, OwnerID: 7, OccupantIDs: []int64{7, 8}, UpdatedAt: base},
		{ID: "d-group", Type: 2, Name: "Team", Photo: "photo-uid", OwnerID: 8, OccupantIDs: []int64{7, 8, 9}, AdminIDs: []int64{8}, UpdatedAt: base},
	}))
	must(db.SetMuted(ctx, "d-group", true))
	must(db.SetUnread(ctx, "d-group", 2))
	_, err = db.UpsertMessages(ctx, []cache.Message{
		{ID: id(1), DialogID: "d-private", SenderID: 7, RecipientID: 8, Body: "hello bob", SentAt: base.Add(1 * time.Second), State: cache.StateRead},
		{ID: id(2), DialogID: "d-private", SenderID: 8, RecipientID: 7, Body: "hi alice, see the zanzibar photo", SentAt: base.Add(2 * time.Second),
			Attachments: []cache.Attachment{{Type: "image", UID: "blob-1", Name: "z.jpg", ContentType: "image/jpeg", Size: 1234, Width: 640, Height: 480}},
			Custom:      map[string]any{"country": "TZ"}},
		{ID: id(3), DialogID: "d-group", SenderID: 8, Body: "team meeting at noon", SentAt: base.Add(3 * time.Second), EditedAt: base.Add(4 * time.Second)},
		{ID: id(4), DialogID: "d-group", SenderID: 9, Body: "secret", SentAt: base.Add(5 * time.Second), Deleted: true},
	})
	must(err)
	must(db.EnqueueOutgoing(ctx, cache.Message{ID: id(5), DialogID: "d-group", SenderID: 7, Body: "typed offline in v1", SentAt: base.Add(6 * time.Second)}))
	must(db.AddGap(ctx, "d-group", base.Add(-time.Hour), base))
	must(db.SetCursor(ctx, "catchup", "v1-cursor"))
	must(db.Close())
}
