package cache

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestUserProfileFieldsAndLastActivity(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	full := User{ID: 8, Login: "bob", FullName: "Bob B", Avatar: "av-uid", BlobID: 42, Email: "bob@x",
		Phone: "+1", Website: "https://bob", CustomData: `{"k":1}`, LastRequestAt: base, UpdatedAt: base}
	if err := db.UpsertUsers(ctx, []User{full}); err != nil {
		t.Fatal(err)
	}
	changes, cancel := db.Subscribe()
	defer cancel()

	at := base.Add(time.Hour)
	if err := db.SetLastActivity(ctx, 8, 90, at); err != nil {
		t.Fatal(err)
	}
	if c := drain(t, changes); !slices.Equal(c.Activity, []int64{8}) || c.Users {
		t.Fatalf("change %+v: want Activity only", c)
	}
	if err := db.SetLastActivity(ctx, 8, 90, at); err != nil {
		t.Fatal(err)
	}
	assertQuiet(t, changes)
	// Activity of a user whose profile is not cached yet is kept for later.
	if err := db.SetLastActivity(ctx, 9, 0, at); err != nil {
		t.Fatal(err)
	}
	drain(t, changes)
	users, err := db.Users(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 {
		t.Fatalf("activity created a profile: %v", users)
	}
	got := users[8]
	want := full
	want.LastSeen, want.Online = at.Add(-90*time.Second), false
	if got != want {
		t.Fatalf("user = %+v\nwant   %+v", got, want)
	}

	// A profile update does not erase activity; activity then shows for user 9.
	full.FullName = "Robert"
	if err := db.UpsertUsers(ctx, []User{full, {ID: 9, Login: "carol"}}); err != nil {
		t.Fatal(err)
	}
	users, _ = db.Users(ctx, []int64{8, 9})
	if !users[8].LastSeen.Equal(want.LastSeen) || users[8].FullName != "Robert" || !users[9].Online || !users[9].LastSeen.Equal(at) {
		t.Fatalf("after profile update: %+v", users)
	}

	if err := db.SetOffline(ctx, []int64{8, 9}); err != nil {
		t.Fatal(err)
	}
	c := drain(t, changes)
	if !slices.Equal(c.Activity, []int64{9}) {
		t.Fatalf("SetOffline change %+v, want only the user who was online", c)
	}
	if users, _ = db.Users(ctx, []int64{9}); users[9].Online || !users[9].LastSeen.Equal(at) {
		t.Fatalf("after SetOffline: %+v", users[9])
	}

	for _, bad := range []struct {
		user, sec int64
		at        time.Time
	}{{0, 1, at}, {8, -1, at}, {8, 1, time.Time{}}} {
		if err := db.SetLastActivity(ctx, bad.user, bad.sec, bad.at); err == nil {
			t.Errorf("SetLastActivity(%d, %d, %v) accepted", bad.user, bad.sec, bad.at)
		}
	}
}

func TestBlockListCached(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	changes, cancel := db.Subscribe()
	defer cancel()
	tests := []struct {
		name    string
		set     []Blocked
		want    []Blocked
		changed bool
	}{
		{"first list", []Blocked{{UserID: 34}, {UserID: 48, Mutual: true}}, []Blocked{{34, false}, {48, true}}, true},
		{"same list, other order", []Blocked{{UserID: 48, Mutual: true}, {UserID: 34}}, []Blocked{{34, false}, {48, true}}, false},
		{"made mutual", []Blocked{{UserID: 34, Mutual: true}, {UserID: 48, Mutual: true}}, []Blocked{{34, true}, {48, true}}, true},
		{"one unblocked", []Blocked{{UserID: 48, Mutual: true}}, []Blocked{{48, true}}, true},
		{"all unblocked", nil, nil, true},
	}
	for _, tc := range tests {
		if err := db.SetBlocked(ctx, tc.set); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := db.Blocked(ctx)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Fatalf("%s: Blocked = %v, %v; want %v", tc.name, got, err, tc.want)
		}
		if tc.changed {
			if c := drain(t, changes); !c.Privacy {
				t.Fatalf("%s: change %+v", tc.name, c)
			}
		} else {
			assertQuiet(t, changes)
		}
	}
	db.SetBlocked(ctx, []Blocked{{UserID: 5, Mutual: true}})
	if blocked, mutual, err := db.IsBlocked(ctx, 5); !blocked || !mutual || err != nil {
		t.Fatalf("IsBlocked(5) = %v %v %v", blocked, mutual, err)
	}
	if blocked, _, _ := db.IsBlocked(ctx, 6); blocked {
		t.Fatal("IsBlocked(6)")
	}
	if err := db.SetBlocked(ctx, []Blocked{{UserID: 0}}); err == nil {
		t.Fatal("user 0 accepted")
	}
}

func TestSystemMessages(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	in := []SystemMessage{
		{ID: "s1", SenderID: 8, Body: "dialog/NEW_DIALOG", Params: map[string]any{"dialog_id": "d9"}, ReceivedAt: base},
		{ID: "s2", SenderID: 9, ReceivedAt: base.Add(time.Second)},
	}
	n, err := db.AddSystemMessages(ctx, in)
	if err != nil || n != 2 {
		t.Fatalf("AddSystemMessages = %d, %v", n, err)
	}
	if n, _ := db.AddSystemMessages(ctx, in[:1]); n != 0 {
		t.Fatalf("redelivered stanza stored again (%d)", n)
	}
	got, err := db.SystemMessages(ctx, 0)
	if err != nil || len(got) != 2 || got[0].ID != "s2" || got[1].Params["dialog_id"] != "d9" ||
		!got[1].ReceivedAt.Equal(base) || got[1].SenderID != 8 || got[1].Body != "dialog/NEW_DIALOG" {
		t.Fatalf("SystemMessages = %+v, %v", got, err)
	}
	changes, cancel := db.Subscribe()
	defer cancel()
	if err := db.DismissSystemMessages(ctx, []string{"s2", "unknown"}); err != nil {
		t.Fatal(err)
	}
	if c := drain(t, changes); !c.SystemMessages {
		t.Fatalf("change %+v", c)
	}
	if got, _ := db.SystemMessages(ctx, 1); len(got) != 1 || got[0].ID != "s1" {
		t.Fatalf("after dismiss: %+v", got)
	}
	if _, err := db.AddSystemMessages(ctx, []SystemMessage{{Body: "no id"}}); err == nil {
		t.Fatal("system message without id accepted")
	}
	if _, err := db.AddSystemMessages(ctx, []SystemMessage{{ID: "x", Params: map[string]any{"f": func() {}}}}); err == nil {
		t.Fatal("non-JSON params accepted")
	}
}

// Last seen never moves back: an answer counting from an older moment than one already
// known (someone seen online at 12:00 cannot have been last seen at 11:58) is kept at
// the known moment, while the online mark still follows the answer.
func TestLastSeenNeverMovesBack(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.UpsertUsers(ctx, []User{{ID: 8, Login: "bob"}}); err != nil {
		t.Fatal(err)
	}
	online := base.Add(time.Hour)
	if err := db.SetLastActivity(ctx, 8, 0, online); err != nil { // online at 12:00
		t.Fatal(err)
	}
	// Five seconds later the server says "offline for 2 minutes".
	if err := db.SetLastActivity(ctx, 8, 120, online.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	users, err := db.Users(ctx, []int64{8})
	if err != nil {
		t.Fatal(err)
	}
	if u := users[8]; u.Online || !u.LastSeen.Equal(online) {
		t.Fatalf("after the older answer: online %v, last seen %v, want %v", u.Online, u.LastSeen, online)
	}
	// A later moment still moves it on.
	if err := db.SetLastActivity(ctx, 8, 1, online.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	users, _ = db.Users(ctx, []int64{8})
	if want := online.Add(time.Minute - time.Second); !users[8].LastSeen.Equal(want) {
		t.Fatalf("last seen %v, want %v", users[8].LastSeen, want)
	}
}
