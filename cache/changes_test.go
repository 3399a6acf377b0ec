package cache

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

func TestChangeFeedCoalescesForSlowReader(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	slow, cancelSlow := db.Subscribe()
	defer cancelSlow()
	fast, cancelFast := db.Subscribe()
	defer cancelFast()

	// 30 writes while the slow reader reads nothing: writers must not block.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 30 {
			if _, err := db.UpsertMessages(ctx, []Message{newMsg(fmt.Sprintf("d%d", i%3), i, i, "x")}); err != nil {
				t.Error(err)
				return
			}
			<-fast // the fast reader keeps up with each write
		}
		if err := db.UpsertUsers(ctx, []User{{ID: 1, Login: "a"}}); err != nil {
			t.Error(err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("writers blocked on a slow subscriber")
	}

	c := drain(t, slow) // everything, merged into one change
	assertQuiet(t, slow)
	total := 0
	for d, got := range c.Messages {
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("dialog %s ids not sorted and unique: %v", d, got)
		}
		total += len(got)
	}
	if len(c.Messages) != 3 || total != 30 || !c.Users {
		t.Fatalf("merged change has %d dialogs, %d messages, users=%v", len(c.Messages), total, c.Users)
	}
}

func TestChangeFeedUnsubscribeAndClose(t *testing.T) {
	db := openTest(t)
	a, cancelA := db.Subscribe()
	b, _ := db.Subscribe()
	cancelA()
	cancelA() // twice is harmless
	if _, ok := testwait.Recv(t, "the cancelled channel to close", 2*time.Second, a); ok {
		t.Fatal("cancelled channel still open")
	}
	upsert(t, db, newMsg("d1", 1, 0, "after cancel")) // must not panic on the closed channel
	drain(t, b)
	db.Close()
	if _, ok := testwait.Recv(t, "the channel to close on Close", 2*time.Second, b); ok {
		t.Fatal("channel open after Close")
	}
	c, cancel := db.Subscribe()
	defer cancel()
	if _, ok := testwait.Recv(t, "a Subscribe after Close to give a closed channel", 2*time.Second, c); ok {
		t.Fatal("Subscribe after Close gave an open channel")
	}
}

func TestMergeChanges(t *testing.T) {
	a := Change{Dialogs: []string{"b", "a"}, Messages: map[string][]string{"a": {"2", "1"}}}
	b := Change{Dialogs: []string{"a", "c"}, Messages: map[string][]string{"a": {"1", "3"}, "c": {"9"}}, Account: true}
	got := merge(a, b)
	if !slices.Equal(got.Dialogs, []string{"a", "b", "c"}) || !slices.Equal(got.Messages["a"], []string{"1", "2", "3"}) ||
		!slices.Equal(got.Messages["c"], []string{"9"}) || !got.Account || got.Users {
		t.Fatalf("merge = %+v", got)
	}
	if !slices.Equal(a.Dialogs, []string{"b", "a"}) || !slices.Equal(a.Messages["a"], []string{"2", "1"}) {
		t.Fatalf("merge modified its input: %+v", a)
	}
	if !(Change{}).Empty() || got.Empty() {
		t.Fatal("Empty is wrong")
	}
}

func TestMergeChangesNewKinds(t *testing.T) {
	a := Change{Reactions: map[string][]string{"d": {"2"}}, Activity: []int64{9, 8}, Drafts: []string{"d"}, Privacy: true}
	b := Change{Reactions: map[string][]string{"d": {"1", "2"}}, Markers: map[string][]string{"e": {"5"}},
		Activity: []int64{8}, SystemMessages: true, Actions: true}
	got := merge(a, b)
	if !slices.Equal(got.Reactions["d"], []string{"1", "2"}) || !slices.Equal(got.Markers["e"], []string{"5"}) ||
		!slices.Equal(got.Activity, []int64{8, 9}) || !slices.Equal(got.Drafts, []string{"d"}) ||
		!got.Privacy || !got.SystemMessages || !got.Actions || got.Messages != nil {
		t.Fatalf("merge = %+v", got)
	}
	if !slices.Equal(a.Activity, []int64{9, 8}) {
		t.Fatal("merge modified its input")
	}
	for _, c := range []Change{
		{Reactions: map[string][]string{"d": {"1"}}}, {Markers: map[string][]string{"d": {"1"}}},
		{Activity: []int64{1}}, {Drafts: []string{"d"}}, {Privacy: true}, {SystemMessages: true}, {Actions: true},
	} {
		if c.Empty() {
			t.Errorf("%+v reads as empty", c)
		}
	}
}
