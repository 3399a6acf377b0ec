package sync

import (
	"context"
	"fmt"
)

// OnlineInDialog returns the ids of a group dialog's occupants who are online now, as
// the dialog's chat room lists them. It needs the chat connection: without one it
// returns ErrOffline (wrapped). Nothing is cached: the answer is a moment's view.
func (e *Engine) OnlineInDialog(ctx context.Context, dialogID string) ([]int64, error) {
	chat := e.connChat()
	if chat == nil {
		return nil, fmt.Errorf("%w: online users of %s need the chat connection", ErrOffline, dialogID)
	}
	ids, err := chat.ListOnlineUsers(ctx, dialogID)
	if err != nil {
		return nil, offlineOr("listing online users", err)
	}
	return ids, nil
}
