package sync

import (
	"context"
	"errors"
	"maps"

	"github.com/cubechat/cubechat/cache"
)

// liveNotifyFacts is what the notifications of a run of live messages need: each
// dialog's facts (nil: the dialog is not cached, there is nothing to show it in) and
// the names of the senders.
type liveNotifyFacts struct {
	dialogs map[string]*cache.NotifyDialog
	names   map[int64]cache.UserName
}

// notifyFactsOf reads them for the new messages of a run, one query per dialog
// (cache.NotifyFacts; was a read of the whole dialog and one of the senders' whole
// profiles, docs/benchmarks.md, issue 10, round 4). senders are the senders of the
// new messages: those the cache does not hold are fetched, as every new sender's
// profile is (profilesOf).
func (e *Engine) notifyFactsOf(ctx context.Context, msgs []cache.Message, isNew []bool, senders []int64) liveNotifyFacts {
	f := liveNotifyFacts{dialogs: map[string]*cache.NotifyDialog{}, names: map[int64]cache.UserName{}}
	for i, m := range msgs {
		if _, read := f.dialogs[m.DialogID]; read || !isNew[i] {
			continue
		}
		d, names, err := e.db.NotifyFacts(ctx, m.DialogID, senders)
		if err != nil {
			f.dialogs[m.DialogID] = nil
			if !errors.Is(err, cache.ErrNotFound) {
				e.log.Warn("reading a live message's dialog for its notification", "dialog", m.DialogID, "err", err)
			}
			continue
		}
		f.dialogs[m.DialogID] = &d
		maps.Copy(f.names, names)
	}
	var missing []int64
	for _, id := range senders {
		if _, ok := f.names[id]; !ok {
			f.names[id] = cache.UserName{} // asked once
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return f
	}
	users, err := e.profilesOf(ctx, missing)
	if err != nil {
		e.log.Warn("fetching sender profiles", "users", missing, "err", err)
	}
	for _, id := range missing {
		if u, ok := users[id]; ok {
			f.names[id] = cache.UserName{Login: u.Login, FullName: u.FullName}
		} else {
			delete(f.names, id)
		}
	}
	return f
}
