package sync

import (
	"fmt"
	"net/url"
	gosync "sync"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// A dialog listed on the first page that moves before the second is asked for must
// not make the listing pass over another one: paging by skip alone would (every later
// dialog shifts a place down), and the cursor would then move past the one skipped.
func TestDialogListingSkipsNoneWhenOneMovesBetweenPages(t *testing.T) {
	h := newHarness(t)
	ann, bob := h.user("ann"), h.user("bob")
	st := h.srv.Store()
	var ids []string
	create := func(n int) {
		for range n {
			d, _, err := st.CreateDialog(h.ctx, store.NewDialog{Type: cube.DialogGroup, OwnerID: ann.ID,
				Name: fmt.Sprint("g", len(ids)), OccupantIDs: []int64{bob.ID}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
	}
	create(20)
	time.Sleep(1100 * time.Millisecond) // the first ones in an older second than the page's end
	create(pageSize + 30)

	b, rc := h.newCountedPeer(bob)
	b.waitSynced()
	var once gosync.Once
	hook := func(q url.Values) {
		if q.Get("skip") == "" || q.Get("skip") == "0" {
			return
		}
		once.Do(func() { // between the first and second page: the first dialog moves to the end
			name := "moved"
			if _, err := st.UpdateDialog(h.ctx, ids[0], ann.ID, store.DialogChanges{Name: &name}); err != nil {
				t.Error(err)
			}
		})
	}
	rc.beforeDialogPage.Store(&hook)
	listed, _, err := b.e.updatedDialogs(h.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, d := range listed {
		seen[d.ID]++
	}
	for i, id := range ids {
		if seen[id] != 1 {
			t.Errorf("dialog %d (%s) listed %d times, want once", i, id, seen[id])
		}
	}
	for _, d := range listed {
		if d.ID == ids[0] && d.Name != "moved" {
			t.Errorf("the moved dialog is listed as %q, not its newer copy", d.Name)
		}
	}
}
