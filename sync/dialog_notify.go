package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// Pins are a dialog field, and the server tells nobody when it changes. As the
// ConnectyCube guides suggest for dialog changes, the client that made the change
// sends each occupant a system message (notification_type 2, "dialog updated", with
// the dialog id); an engine receiving it from an occupant reads the dialog again, so
// a pin shows at once on the other side (docs/message-extras.md).

// Parameters of the "dialog updated" system message.
const (
	paramNotificationType = "notification_type"
	notificationUpdated   = "2"
	paramDialogID         = "dialog_id"
)

// announceDialogUpdate tells the other occupants of d to read it again. Best effort:
// offline, or if a send fails, they still get the change with their next catch-up.
func (e *Engine) announceDialogUpdate(ctx context.Context, d cache.Dialog) {
	chat := e.connChat()
	if chat == nil {
		return
	}
	me := e.Me()
	params := map[string]any{paramNotificationType: notificationUpdated, paramDialogID: d.ID}
	for _, id := range d.OccupantIDs {
		if id == me {
			continue
		}
		if _, err := chat.SendSystemMessageChat(ctx, id, "", params); err != nil {
			e.log.Info("announcing a dialog update", "dialog", d.ID, "to", id, "err", err)
			return
		}
	}
}

// dialogUpdateOf tells whether a system message announces a dialog update, and which.
func dialogUpdateOf(ev cube.SystemMessageEvent) (string, bool) {
	t, _ := ev.Params[paramNotificationType].(string)
	id, _ := ev.Params[paramDialogID].(string)
	return id, t == notificationUpdated && id != ""
}

// refreshAnnouncedDialog reads again a dialog an occupant says was updated. Only a
// dialog this cache holds, and only on the word of one of its occupants: the server's
// copy is the truth either way, but a stranger must not make us ask.
func (e *Engine) refreshAnnouncedDialog(ctx context.Context, from int64, dialogID string) error {
	d, err := e.db.Dialog(ctx, dialogID)
	if errors.Is(err, cache.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !memberOf(d, from, e.Me()) {
		e.log.Info("dialog update announced by a non-member ignored", "dialog", dialogID, "from", from)
		return nil
	}
	var list *cube.DialogList
	if err := e.rest(ctx, func(c *cube.Client) (err error) {
		list, err = c.ListDialogs(ctx, cube.DialogFilter{IDIn: []string{dialogID}, Limit: 1})
		return err
	}); err != nil {
		return fmt.Errorf("sync: reading announced dialog %s: %w", dialogID, err)
	}
	for _, x := range list.Items {
		if x.ID == dialogID {
			return e.storeDialogs(ctx, []cube.Dialog{x})
		}
	}
	return nil
}
