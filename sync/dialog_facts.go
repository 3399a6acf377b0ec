package sync

import (
	"context"
	gosync "sync"

	"github.com/cubechat/cubechat/cache"
)

// Sending needs two things of a dialog that never change once it exists, its type
// and (for a private one) the peer, and the live path needs to know that it is
// cached; reading the dialog for them was a noticeable part of every Send, every
// outbox drain and every stored run (docs/benchmarks.md, issue 10). They are
// remembered from the first read. The engine forgets a dialog when it removes it
// from the cache (removeDialog, the only way it does), so a send into a dialog
// that is gone still fails, and a live message for it fetches it, as before.

// dialogFactsKept bounds the memory: past it, everything is read again.
const dialogFactsKept = 4096

// dialogFact is what never changes about a dialog, for this account.
type dialogFact struct {
	typ  int
	peer int64 // the other occupant of a private dialog, else 0
	me   int64 // the account peer was told for
}

type dialogFacts struct {
	mu gosync.Mutex
	m  map[string]dialogFact
}

// factsOf returns a dialog's type and peer, reading the dialog only the first time.
// A dialog the cache does not hold gives its error (ErrNotFound).
func (e *Engine) factsOf(ctx context.Context, dialogID string) (dialogFact, error) {
	me := e.Me()
	f := &e.facts
	f.mu.Lock()
	fact, ok := f.m[dialogID]
	f.mu.Unlock()
	if ok && fact.me == me {
		return fact, nil
	}
	d, err := e.db.Dialog(ctx, dialogID)
	if err != nil {
		return dialogFact{}, err
	}
	fact = dialogFact{typ: d.Type, peer: peerOf(*d, me), me: me}
	f.mu.Lock()
	if f.m == nil || len(f.m) >= dialogFactsKept {
		f.m = map[string]dialogFact{}
	}
	f.m[dialogID] = fact
	f.mu.Unlock()
	return fact, nil
}

// removeDialog removes a dialog from the cache and forgets its facts.
func (e *Engine) removeDialog(ctx context.Context, dialogID string) error {
	e.facts.mu.Lock()
	delete(e.facts.m, dialogID)
	e.facts.mu.Unlock()
	err := e.db.RemoveDialog(ctx, dialogID)
	e.facts.mu.Lock()
	delete(e.facts.m, dialogID) // a Send that read it meanwhile
	e.facts.mu.Unlock()
	return err
}

// asDialog is the dialog as far as sending needs it.
func (f dialogFact) asDialog(id string) cache.Dialog {
	return cache.Dialog{ID: id, Type: f.typ}
}
