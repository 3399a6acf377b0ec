package cache

import (
	"context"
	"testing"
)

func TestPrivateDialogWith(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	err := db.UpsertDialogs(ctx, []Dialog{
		{ID: "g1", Type: 2, Name: "group", OccupantIDs: []int64{1, 2, 3}},
		{ID: "p12", Type: privateType, OccupantIDs: []int64{1, 2}},
		{ID: "p13", Type: privateType, OccupantIDs: []int64{3, 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for peer, want := range map[int64]string{2: "p12", 3: "p13", 4: ""} {
		got, err := db.PrivateDialogWith(ctx, peer)
		if err != nil || got != want {
			t.Errorf("PrivateDialogWith(%d) = %q, %v; want %q", peer, got, err, want)
		}
	}
}
