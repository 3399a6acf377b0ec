package cache

import (
	"context"
	"reflect"
	"testing"
)

// TestUpsertBatchInsertsInBulkAndMergesRepeats: a batch of more messages than one
// bulk statement holds stores each once, ranks the new ones of a second after what
// the second held, in the batch's order, merges a repeated id (its later copy's
// edit wins, counted once) and an id already stored, and leaves the new rows'
// search entries pending, which a search writes first.
func TestUpsertBatchInsertsInBulkAndMergesRepeats(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	db.stopIndexer() // the entries stay pending until a search writes them
	upsert(t, db, newMsg("d1", 1, 0, "already stored"))

	var batch []Message
	for i := range 100 {
		batch = append(batch, newMsg("d1", 10+i, 0, "bulk walrus"))
	}
	edited := newMsg("d1", 10, 0, "bulk walrus, edited")
	edited.EditedAt = base.Add(60e9)
	again := newMsg("d1", 1, 0, "already stored")
	again.ReadIDs = []int64{8}
	batch = append(batch, edited, again)
	if n := upsert(t, db, batch...); n != 100 {
		t.Fatalf("%d new, want 100", n)
	}
	if n := pendingCount(t, db); n != 101 {
		t.Fatalf("%d search entries pending, want 101", n)
	}
	if got := getMsg(t, db, msgID(10)); got.Body != "bulk walrus, edited" {
		t.Fatalf("repeated id holds %q, want the later copy's edit", got.Body)
	}
	if got := getMsg(t, db, msgID(1)); len(got.ReadIDs) != 1 {
		t.Fatalf("the stored message was not merged: read ids %v", got.ReadIDs)
	}
	history, err := db.Messages(ctx, "d1", base.Add(1e9), "", 200)
	if err != nil || len(history) != 101 {
		t.Fatalf("history: %d messages, %v; want 101", len(history), err)
	}
	for i, m := range history {
		if m.Arrival != i+1 {
			t.Fatalf("message %d (%s) ranked %d, want %d", i, m.ID, m.Arrival, i+1)
		}
	}
	if history[0].ID != msgID(1) || history[100].ID != msgID(109) {
		t.Fatalf("order %s … %s, want the stored one first, then the batch's order", history[0].ID, history[100].ID)
	}
	got, err := db.Search(ctx, "walrus", 200)
	if err != nil || len(got) != 100 {
		t.Fatalf("search found %d, %v; want 100", len(got), err)
	}
	checkFTS(t, db)
}

// TestBulkRankedSecondsSkipTheReRank: a second that held nothing and that the batch
// inserted in bulk in the listing's order needs no re-ranking; one the listing names
// in another order, one that held messages before, or one with a merged message does.
func TestBulkRankedSecondsSkipTheReRank(t *testing.T) {
	msgs := []Message{newMsg("d1", 1, 0, "a"), newMsg("d1", 2, 0, "b"), newMsg("d1", 3, 1, "c"),
		newMsg("d1", 4, 2, "d"), newMsg("d1", 5, 2, "e")}
	r := bulkResult{inserted: []bool{true, true, true, true, false}, fresh: map[second]bool{
		{"d1", toMillis(base)}: true, {"d1", toMillis(base.Add(2e9))}: true}}
	order := r.inOrder(msgs)
	for _, c := range []struct {
		l    Listed
		want bool
	}{
		{Listed{DialogID: "d1", SentAt: base, IDs: []string{msgID(1), msgID(2)}}, true},
		{Listed{DialogID: "d1", SentAt: base, IDs: []string{msgID(2), msgID(1)}}, false},          // another order
		{Listed{DialogID: "d1", SentAt: base, IDs: []string{msgID(1)}}, false},                    // names part of it
		{Listed{DialogID: "d1", SentAt: base.Add(1e9), IDs: []string{msgID(3)}}, false},           // held messages before
		{Listed{DialogID: "d1", SentAt: base.Add(2e9), IDs: []string{msgID(4), msgID(5)}}, false}, // a merged message
	} {
		if got := r.ranked(c.l, order); got != c.want {
			t.Errorf("ranked(%v at %s) = %v, want %v", c.l.IDs, c.l.SentAt, got, c.want)
		}
	}
}

// TestBulkPlainAndFullRowsKeepEveryField: a batch mixing plain rows (bound with
// fewer columns, the rest left to their defaults) and rows that set the other
// columns stores every field of each as given, ranked in the batch's order.
func TestBulkPlainAndFullRowsKeepEveryField(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var batch []Message
	for i := range 70 {
		m := newMsg("d1", 1+i, 0, "body")
		m.DeliveredIDs = []int64{8}
		switch i % 9 { // one column outside plainColumns set each, or none
		case 0:
			m.Attachments = []Attachment{{Type: "photo", UID: "u1"}}
		case 1:
			m.Custom = map[string]any{"k": "v"}
		case 2:
			m.Reactions = map[string][]int64{"👍": {8}}
		case 3:
			m.EditedAt = base.Add(5e9)
		case 4:
			m.Silent = true
		case 5:
			m.EditPending = true
		case 6:
			m.Deleted = true
		}
		batch = append(batch, m)
	}
	if n := upsert(t, db, batch...); n != 70 {
		t.Fatalf("%d new, want 70", n)
	}
	history, err := db.Messages(ctx, "d1", base.Add(1e9), "", 100)
	if err != nil || len(history) != 70 {
		t.Fatalf("history: %d messages, %v; want 70", len(history), err)
	}
	for i, got := range history {
		want := normaliseMessage(batch[i])
		want.Arrival = i + 1
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("message %d stored as\n%+v\nwant\n%+v", i, got, want)
		}
	}
}
