package sync

import (
	"context"

	"github.com/cubechat/cubechat/cube"
)

// Retraction (docs/architecture.md, "Outbox"). Send hands a live message to the
// outbox while its queueing write runs (outbox_fresh.go). When that write fails
// after the stanza may have left, Send returns the error and the message must not
// stay with its recipients: the outbox deletes it on the server for everyone (a
// forced REST delete, docs/protocol.md §4.2, which also sends <remove/> to the
// dialog's participants, §8.8). The delete waits until the chat the stanza went on
// has confirmed it — the server then has stored it or never will, so the delete
// cannot overtake it — or, for another chat, until that one has ended (a chat that
// reconnected is the same *cube.Chat: confirming it confirms its new stream, and
// the old one has ended). A delete that fails for a passing reason is tried again
// on the outbox's next round. Retractions live in memory: if the app
// stops first, the message stays on the server and the next catch-up brings it
// into the cache, so the user sees it after all.

// retractFailed deletes every listed message on the server. chat is the live chat
// the outbox drains now. It reports false when some are left for a later try (the
// confirmation or REST failed for a passing reason).
func (e *Engine) retractFailed(ctx context.Context, chat *cube.Chat) bool {
	todo := e.fresh.retractions()
	if len(todo) == 0 {
		return true
	}
	for _, r := range todo {
		if r.chat == chat {
			// The stanza went on this chat: it must be processed first.
			cctx, cancel := context.WithTimeout(ctx, confirmTimeout)
			err := chat.Confirm(cctx)
			cancel()
			if err != nil {
				e.log.Info("retraction waits: the stream did not confirm", "err", err)
				e.fresh.unretracted(todo)
				return false
			}
			break
		}
	}
	var left []freshRetraction
	for _, r := range todo {
		err := e.rest(ctx, func(c *cube.Client) error {
			_, err := c.DeleteMessages(ctx, []string{r.id}, true)
			return err // NotFound in the result: the stanza never reached the server
		})
		switch {
		case err == nil:
			e.log.Info("message retracted: its queueing write failed", "id", r.id)
		case isPermanent(err):
			e.log.Warn("retraction refused", "id", r.id, "err", err)
		default:
			e.log.Info("retraction will be retried", "id", r.id, "err", err)
			left = append(left, r)
		}
	}
	e.fresh.unretracted(left)
	return len(left) == 0
}
