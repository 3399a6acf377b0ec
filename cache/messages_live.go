package cache

import (
	"context"
	"fmt"
)

// StoreLive stores messages that arrived live, in one transaction: each is
// upserted as UpsertMessages does, and each new one that countUnread accepts adds
// one to its dialog's unread count (a dialog not cached is left alone). It reports,
// in the order of msgs, which were new to the cache. The live path stores a run
// of messages that arrived together this way, and counts them unread in the same
// write instead of one more per message (docs/benchmarks.md, issue 10); their
// search entries follow a moment later (search_pending.go). An invalid message
// rejects the whole batch (nothing is written).
func (db *DB) StoreLive(ctx context.Context, msgs []Message, countUnread func(Message) bool) ([]bool, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	for i, m := range msgs {
		if err := validateMessage(m); err != nil {
			return nil, fmt.Errorf("%w (message %d of %d)", err, i+1, len(msgs))
		}
	}
	isNew := make([]bool, len(msgs))
	err := db.write(ctx, fmt.Sprintf("save %d live messages", len(msgs)), func(tx *txn, ch *Change) error {
		clear(isNew)
		w, err := newMessageWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		w.deferIndex(db.idx)
		touched := map[string]map[string]bool{} // dialog → changed message ids
		unread := map[string]int{}              // dialog → new messages to count
		inserted := map[string]bool{}           // ids new to the cache
		for i, m := range msgs {
			added, changed, err := w.upsert(m)
			if err != nil {
				return err
			}
			isNew[i] = added
			if added {
				inserted[m.ID] = true
			}
			if added && countUnread != nil && countUnread(m) {
				unread[m.DialogID]++
			}
			if changed {
				ch.addMessage(m.DialogID, m.ID)
				if touched[m.DialogID] == nil {
					touched[m.DialogID] = map[string]bool{}
				}
				touched[m.DialogID][m.ID] = true
			}
		}
		// A counted message is new, so its dialog is among the touched ones. A
		// dialog with one new message is settled in one statement (dialogs_follow.go).
		return refreshInserted(ctx, tx, touched, inserted, unread, ch)
	})
	if err != nil {
		return nil, err
	}
	db.wakeIndexer()
	return isNew, nil
}
