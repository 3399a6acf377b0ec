package sync

import (
	"slices"
	gosync "sync"
)

// onScreenBook keeps the read markers sent for messages read on screen as they
// arrived (readOnScreen) that no server answer has confirmed yet: the marker goes at
// once and the message shows read, but a marker written on a connection that then
// dies is lost silently. The live unread refresh that follows every live message
// settles them: a count of zero confirms them; a higher one has them read again
// (MarkRead, or a queued read when the dialog is no longer on screen).
type onScreenBook struct {
	mu  gosync.Mutex
	ids map[string][]string // dialog → message ids
}

func newOnScreenBook() *onScreenBook { return &onScreenBook{ids: map[string][]string{}} }

func (b *onScreenBook) add(dialogID, messageID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !slices.Contains(b.ids[dialogID], messageID) {
		b.ids[dialogID] = append(b.ids[dialogID], messageID)
	}
}

// take returns and forgets the unconfirmed ids of a dialog.
func (b *onScreenBook) take(dialogID string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := b.ids[dialogID]
	delete(b.ids, dialogID)
	return ids
}

// onScreenAgain puts ids back for the MarkRead about to run on the dialog on screen,
// which reads them again with the messages shown unread.
func (e *Engine) onScreenAgain(dialogID string, ids []string) {
	for _, id := range ids {
		e.onScreen.add(dialogID, id)
	}
}
