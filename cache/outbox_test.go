package cache

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestOutboxSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	first := Message{ID: msgID(2), DialogID: "d1", SenderID: 7, Body: "typed offline"}
	second := Message{ID: msgID(1), DialogID: "d2", SenderID: 7, Body: "and another", SentAt: base}
	for _, m := range []Message{first, second} {
		if err := db.EnqueueOutgoing(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// Shown at once: the pending message is in its dialog's history.
	page, _ := db.Messages(ctx, "d1", time.Time{}, "", 0)
	if len(page) != 1 || page[0].State != StatePending || page[0].SentAt.IsZero() {
		t.Fatalf("pending message not visible: %+v", page)
	}
	db.Close()

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out, err := db.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Queue order, not id or time order.
	if !slices.Equal(ids(out), []string{first.ID, second.ID}) || out[0].Body != "typed offline" {
		t.Fatalf("outbox after reopen = %+v", out)
	}

	if err := db.MarkSent(ctx, first.ID, base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if m := getMsg(t, db, first.ID); m.State != StateSent || !m.SentAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("after MarkSent: %+v", m)
	}
	if out, _ := db.Outbox(ctx); !slices.Equal(ids(out), []string{second.ID}) {
		t.Fatalf("outbox after MarkSent = %v", ids(out))
	}
	if err := db.EnqueueOutgoing(ctx, first); err == nil {
		t.Fatal("enqueueing a sent message again succeeded")
	}
	if err := db.MarkSent(ctx, "unknown", time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("MarkSent(unknown) = %v", err)
	}
}

func TestOutboxFailAndRetry(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	m := Message{ID: msgID(1), DialogID: "d1", Body: "hi", SentAt: base}
	if err := db.EnqueueOutgoing(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, m.ID, "recipient blocked you"); err != nil {
		t.Fatal(err)
	}
	got := getMsg(t, db, m.ID)
	if got.State != StateFailed || got.LastError != "recipient blocked you" {
		t.Fatalf("after MarkFailed: %+v", got)
	}
	if out, _ := db.Outbox(ctx); len(out) != 0 {
		t.Fatalf("failed message still queued: %v", ids(out))
	}

	if err := db.Requeue(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	got = getMsg(t, db, m.ID)
	if got.State != StatePending || got.LastError != "" {
		t.Fatalf("after Requeue: %+v", got)
	}
	if out, _ := db.Outbox(ctx); !slices.Equal(ids(out), []string{m.ID}) {
		t.Fatalf("outbox after Requeue = %v", ids(out))
	}
	if err := db.Requeue(ctx, "unknown"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Requeue(unknown) = %v", err)
	}

	// The server's copy (a carbon, or a REST page) arrives before MarkSent: the
	// message is sent and leaves the queue, so it is not sent twice.
	upsert(t, db, Message{ID: m.ID, DialogID: "d1", Body: "hi", SentAt: base.Add(3 * time.Second)})
	if out, _ := db.Outbox(ctx); len(out) != 0 {
		t.Fatalf("server copy left the message queued: %v", ids(out))
	}
	if err := db.MarkFailed(ctx, m.ID, "late timeout"); err != nil {
		t.Fatal(err)
	}
	if got := getMsg(t, db, m.ID); got.State != StateSent || got.LastError != "" {
		t.Fatalf("late failure regressed a sent message: %+v", got)
	}
}

func TestEnqueueOutgoingValidates(t *testing.T) {
	db := openTest(t)
	for _, m := range []Message{{DialogID: "d1", Body: "x"}, {ID: "x", Body: "x"}} {
		if err := db.EnqueueOutgoing(context.Background(), m); err == nil {
			t.Errorf("EnqueueOutgoing(%+v) accepted", m)
		}
	}
}
