package sync

import (
	"errors"
	"testing"
	"time"

	"github.com/cubechat/cubechat/internal/testwait"
)

func TestStatusFeedCoalescesAndNeverBlocks(t *testing.T) {
	f := newStatusFeed(Status{State: StateOffline})
	ch, unsubscribe := f.Subscribe()
	defer unsubscribe()
	if got, _ := testwait.Recv(t, "the current status", 2*time.Second, ch); got.State != StateOffline {
		t.Fatalf("first status = %+v, want the current one", got)
	}
	// Nobody reads while many states pass: set must not block, and the reader then
	// sees only the latest.
	for _, s := range []ConnState{StateIdle, StateAuthenticated, StateReady, StateReconnecting, StateReady} {
		f.Update(func(st *Status) { st.State = s })
	}
	f.Update(func(st *Status) { st.Syncing = true; st.Err = errors.New("slow") })
	got, _ := testwait.Recv(t, "the coalesced status", 2*time.Second, ch)
	if got.State != StateReady || !got.Syncing || got.Err == nil {
		t.Fatalf("coalesced status = %+v", got)
	}
	select {
	case extra := <-ch:
		t.Fatalf("unexpected extra status %+v", extra)
	default:
	}
	// An unchanged status is not published.
	f.Update(func(st *Status) { st.Syncing = true })
	select {
	case extra := <-ch:
		t.Fatalf("unchanged status published: %+v", extra)
	default:
	}
	unsubscribe()
	if _, ok := testwait.Recv(t, "the channel to close on unsubscribe", 2*time.Second, ch); ok {
		t.Fatal("a status after unsubscribe")
	}
	f.Update(func(st *Status) { st.State = "Closed" }) // no subscriber left: must not block
}
