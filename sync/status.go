package sync

import "github.com/cubechat/cubechat/internal/feed"

// newStatusFeed holds the current Status and fans its changes out: each subscriber
// first gets the current status, then changes; a slow reader skips intermediate
// states, and the engine never blocks on a reader.
func newStatusFeed(initial Status) *feed.Value[Status] {
	return feed.NewValue(initial, sameStatus)
}

// sameStatus compares statuses without ==, which would panic on an error value of an
// uncomparable dynamic type.
func sameStatus(a, b Status) bool {
	return a.State == b.State && a.Syncing == b.Syncing && a.NeedsSignIn == b.NeedsSignIn &&
		errText(a.Err) == errText(b.Err) && errText(a.StoreErr) == errText(b.StoreErr)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
