package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
)

// takeOffline is TakeOffline as strings.
func takeOffline(t *testing.T, s *Store, userID int64) []string {
	t.Helper()
	got, err := s.TakeOffline(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(got))
	for i, b := range got {
		out[i] = string(b)
	}
	return out
}

func queueOffline(t *testing.T, s *Store, userID int64, stanzas ...string) {
	t.Helper()
	for _, st := range stanzas {
		if err := s.QueueOffline(context.Background(), userID, []byte(st)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOfflineQueueKeepsTheNewestWithinItsLimits: a user's queue drops its oldest
// stanzas once a new one takes it over either limit, keeps the rest in order, and
// leaves other users' queues alone; emptied, it starts from nothing again.
func TestOfflineQueueKeepsTheNewestWithinItsLimits(t *testing.T) {
	s := openTest(t)
	s.offline = offlineLimits{stanzas: 3, bytes: 1 << 20}
	queueOffline(t, s, 7, "<m1/>", "<m2/>", "<m3/>", "<m4/>", "<m5/>")
	queueOffline(t, s, 8, "<x1/>", "<x2/>")
	if got := strings.Join(takeOffline(t, s, 7), ""); got != "<m3/><m4/><m5/>" {
		t.Fatalf("user 7's queue over 3 stanzas = %s, want the newest three in order", got)
	}
	if got := strings.Join(takeOffline(t, s, 8), ""); got != "<x1/><x2/>" {
		t.Fatalf("user 8's queue = %s", got)
	}
	queueOffline(t, s, 7, "<n1/>", "<n2/>", "<n3/>")
	if got := strings.Join(takeOffline(t, s, 7), ""); got != "<n1/><n2/><n3/>" {
		t.Fatalf("after a flush, the queue = %s: its totals were not reset", got)
	}

	// Bytes: 10-byte stanzas within 25 bytes keep two.
	s.offline = offlineLimits{stanzas: 100, bytes: 25}
	queueOffline(t, s, 9, "<a>0001</a", "<a>0002</a", "<a>0003</a", "<a>0004</a")
	if got := strings.Join(takeOffline(t, s, 9), ""); got != "<a>0003</a<a>0004</a" {
		t.Fatalf("queue over 25 bytes = %s, want the newest two", got)
	}
	// The newest stays even when it alone is over the limit.
	queueOffline(t, s, 9, "<a>0005</a", strings.Repeat("x", 40))
	if got := takeOffline(t, s, 9); len(got) != 1 || len(got[0]) != 40 {
		t.Fatalf("queue with one stanza over the limit = %q, want that stanza alone", got)
	}
}

// TestOfflineTotalsFollowTheQueue: the per-user totals match the queue after
// queueing, dropping, taking and deleting the user.
func TestOfflineTotalsFollowTheQueue(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	s.offline = offlineLimits{stanzas: 4, bytes: 1 << 20}
	check := func(userID int64) {
		t.Helper()
		var queued, queuedBytes, stanzas, bytes int64
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(length(stanza)), 0) FROM offline_queue WHERE user_id = ?`,
			userID).Scan(&queued, &queuedBytes); err != nil {
			t.Fatal(err)
		}
		err := s.db.QueryRowContext(ctx, `SELECT stanzas, bytes FROM offline_totals WHERE user_id = ?`, userID).Scan(&stanzas, &bytes)
		if err != nil && queued > 0 {
			t.Fatalf("user %d has %d queued and no totals: %v", userID, queued, err)
		}
		if stanzas != queued || bytes != queuedBytes {
			t.Fatalf("user %d: totals %d stanzas / %d bytes, queue %d / %d", userID, stanzas, bytes, queued, queuedBytes)
		}
	}
	for i := range 10 {
		queueOffline(t, s, 7, fmt.Sprintf("<m%d>%s</m%d>", i, strings.Repeat("y", i), i))
		check(7)
	}
	takeOffline(t, s, 7)
	check(7)
	u, err := s.CreateUser(ctx, cube.User{Login: "offline-owner"}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	queueOffline(t, s, u.ID, "<a/>", "<b/>")
	check(u.ID)
	if _, err := s.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	check(u.ID)
}

// TestOfflineTotalsBackfill: the migration that adds offline_totals counts the
// queues stored before it.
func TestOfflineTotalsBackfill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	queueOffline(t, s, 7, "<a/>", "<bb/>")
	queueOffline(t, s, 8, "<ccc/>")
	s = reopenAt(t, s, path, `DROP TABLE offline_totals`, `PRAGMA user_version = 41`)
	for _, want := range []struct{ user, stanzas, bytes int64 }{{7, 2, 9}, {8, 1, 6}} {
		var stanzas, bytes int64
		if err := s.db.QueryRowContext(ctx, `SELECT stanzas, bytes FROM offline_totals WHERE user_id = ?`,
			want.user).Scan(&stanzas, &bytes); err != nil || stanzas != want.stanzas || bytes != want.bytes {
			t.Fatalf("user %d totals = %d stanzas / %d bytes (%v), want %d / %d", want.user, stanzas, bytes, err,
				want.stanzas, want.bytes)
		}
	}
}
