package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

func TestDialogNotificationsSwitch(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b, c := mustUser(t, s, "a"), mustUser(t, s, "b"), mustUser(t, s, "c")
	d, err := s.FindOrCreatePrivateDialog(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if on, err := s.DialogNotificationsEnabled(ctx, d.ID, b.ID); err != nil || !on {
		t.Fatalf("default: %v %v", on, err)
	}
	for _, enabled := range []bool{false, true, false} {
		if err := s.SetDialogNotifications(ctx, d.ID, b.ID, enabled); err != nil {
			t.Fatal(err)
		}
		if on, _ := s.DialogNotificationsEnabled(ctx, d.ID, b.ID); on != enabled {
			t.Fatalf("set %v, read %v", enabled, on)
		}
	}
	if on, _ := s.DialogNotificationsEnabled(ctx, d.ID, a.ID); !on {
		t.Fatal("the other occupant's switch moved too")
	}
	if err := s.SetDialogNotifications(ctx, d.ID, c.ID, false); !errors.Is(err, ErrNotOccupant) {
		t.Fatalf("non-occupant: %v", err)
	}
	if err := s.SetDialogNotifications(ctx, cube.NewObjectID(), a.ID, false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown dialog: %v", err)
	}
}

func TestRecordAndListAlerts(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	long := strings.Repeat("é", alertPreviewRunes+10)
	m1 := cube.Message{ID: cube.NewObjectID(), ChatDialogID: "d1", SenderID: 5, Message: long}
	m2 := cube.Message{ID: cube.NewObjectID(), ChatDialogID: "d1", SenderID: 6, Message: "hi"}
	if err := s.RecordAlerts(ctx, m1, []int64{6, 7, 7}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAlerts(ctx, m1, []int64{6}); err != nil { // a re-sent message alerts once
		t.Fatal(err)
	}
	if err := s.RecordAlerts(ctx, m2, []int64{7}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAlerts(ctx, cube.Message{}, []int64{7}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("message without id: %v", err)
	}
	all, err := s.ListAlerts(ctx, 0, 0)
	if err != nil || len(all) != 3 {
		t.Fatalf("all alerts %+v %v", all, err)
	}
	mine, _ := s.ListAlerts(ctx, 7, 0)
	if len(mine) != 2 || mine[0].MessageID != m2.ID || mine[1].MessageID != m1.ID || mine[0].SenderID != 6 {
		t.Fatalf("user 7 alerts (newest first) %+v", mine)
	}
	if n := len([]rune(mine[1].Body)); n != alertPreviewRunes {
		t.Fatalf("preview has %d runes", n)
	}
	if one, _ := s.ListAlerts(ctx, 7, 1); len(one) != 1 || one[0].MessageID != m2.ID {
		t.Fatalf("limit 1: %+v", one)
	}
}
