package cache

import "context"

// MarkBounced records that the server refused a message after it seemed to have
// gone out: an XMPP error bounce (503 when the recipient's privacy list blocks the
// sender) can arrive after the batch's confirming ping marked it sent. Unlike
// MarkFailed it also moves a sent message to failed, because the server did not
// store it; a delivered or read message stays (someone did get it). The message
// leaves the outbox; Requeue is the retry. ErrNotFound for an unknown id.
// (Added by the sync engine's owner; see docs/contracts.md.)
func (db *DB) MarkBounced(ctx context.Context, id, reason string) error {
	return db.settle(ctx, id, "mark bounced", func(m *Message) {
		switch m.State {
		case StatePending, StateSent, StateFailed:
			m.State, m.LastError = StateFailed, reason
		}
	})
}
