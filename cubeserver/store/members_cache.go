package store

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cubechat/cubechat/cube"
)

// DialogMembers runs for every routed message (docs/benchmarks.md: a tenth of the CPU of
// 50 senders storing at once), and who is in a dialog changes rarely. The cache below
// answers from memory while no write that could change it has happened: every write
// through tx or exec moves a generation counter after it (writeTx, used by the grouped
// message and marker writes, does not: they never touch a dialog's type, owner,
// occupants or admins), and an entry is used only while the generation it was read at
// is current. A removed occupant therefore stops receiving once the write that removed
// them has returned, as without the cache.

// maxCachedDialogs bounds the cache; when full it starts again empty.
const maxCachedDialogs = 10000

type membersCache struct {
	gen     atomic.Uint64
	mu      sync.Mutex
	entries map[string]membersEntry
}

type membersEntry struct {
	d   cube.Dialog
	gen uint64
}

// changed invalidates every entry: a write that may have changed a dialog's members
// has committed (or failed).
func (c *membersCache) changed() { c.gen.Add(1) }

// generation is read before the database is, so an entry never outlives a write that
// committed after it was read.
func (c *membersCache) generation() uint64 { return c.gen.Load() }

// get returns a copy of the cached dialog when it is still current.
func (c *membersCache) get(id string) (*cube.Dialog, bool) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if !ok || e.gen != c.gen.Load() {
		return nil, false
	}
	return copyMembers(&e.d), true
}

// put keeps a copy of d as read at generation gen.
func (c *membersCache) put(d *cube.Dialog, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedDialogs {
		c.entries = make(map[string]membersEntry)
	}
	c.entries[d.ID] = membersEntry{d: *copyMembers(d), gen: gen}
}

// copyMembers copies the fields DialogMembers sets, so callers may change what they get.
func copyMembers(d *cube.Dialog) *cube.Dialog {
	return &cube.Dialog{ID: d.ID, Type: d.Type, UserID: d.UserID,
		OccupantsIDs: slices.Clone(d.OccupantsIDs), AdminsIDs: slices.Clone(d.AdminsIDs)}
}
