package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// Dialog management needs the server: each call returns ErrOffline (wrapped) when
// it cannot be reached, and changes the cache only after the server agreed.

// DialogChanges says what UpdateDialog changes; nil and empty fields stay as they are.
type DialogChanges struct {
	Name, Description             *string
	AddOccupants, RemoveOccupants []int64
	AddAdmins, RemoveAdmins       []int64
	Pin, Unpin                    []string // message ids
}

func (c DialogChanges) empty() bool {
	return c.Name == nil && c.Description == nil && len(c.AddOccupants)+len(c.RemoveOccupants)+
		len(c.AddAdmins)+len(c.RemoveAdmins)+len(c.Pin)+len(c.Unpin) == 0
}

// UpdateDialog renames a dialog, changes its description, members, admins or
// pinned messages, and stores the server's answer.
func (e *Engine) UpdateDialog(ctx context.Context, dialogID string, ch DialogChanges) error {
	if dialogID == "" || ch.empty() {
		return errors.New("sync: UpdateDialog needs a dialog and something to change")
	}
	if ch.Name != nil && *ch.Name == "" {
		return errors.New("sync: a dialog name cannot be empty")
	}
	var latest *cube.Dialog
	upd := cube.DialogUpdate{
		Name: ch.Name, Description: ch.Description,
		PushOccupants: ch.AddOccupants, PullOccupants: ch.RemoveOccupants,
		PushPinned: ch.Pin, PullPinned: ch.Unpin,
	}
	if upd.Name != nil || upd.Description != nil || len(upd.PushOccupants)+len(upd.PullOccupants)+
		len(upd.PushPinned)+len(upd.PullPinned) > 0 {
		if err := e.rest(ctx, func(c *cube.Client) (err error) {
			latest, err = c.UpdateDialog(ctx, dialogID, upd)
			return err
		}); err != nil {
			return offlineOr("updating the dialog", err)
		}
	}
	for _, step := range []struct {
		ids []int64
		add bool
	}{{ch.AddAdmins, true}, {ch.RemoveAdmins, false}} {
		if len(step.ids) == 0 {
			continue
		}
		if err := e.rest(ctx, func(c *cube.Client) (err error) {
			if step.add {
				latest, err = c.AddAdmins(ctx, dialogID, step.ids)
			} else {
				latest, err = c.RemoveAdmins(ctx, dialogID, step.ids)
			}
			return err
		}); err != nil {
			return offlineOr("changing the dialog's admins", err)
		}
	}
	if latest == nil {
		return nil
	}
	if err := e.storeDialogs(ctx, []cube.Dialog{*latest}); err != nil {
		return fmt.Errorf("sync: storing the updated dialog: %w", err)
	}
	if len(ch.Pin)+len(ch.Unpin) > 0 {
		e.announceDialogUpdate(ctx, dialogFromWire(*latest))
	}
	return nil
}

// LeaveDialog deletes a dialog for the user: a group is left; a private chat is
// hidden (it comes back when the peer writes again).
func (e *Engine) LeaveDialog(ctx context.Context, dialogID string) error {
	d, err := e.db.Dialog(ctx, dialogID)
	if err != nil {
		return fmt.Errorf("sync: leaving dialog %s: %w", dialogID, err)
	}
	if err := e.deleteDialogs(ctx, dialogID, false); err != nil {
		return err
	}
	if d.Type == cube.DialogPrivate {
		return e.db.SetHidden(ctx, dialogID, true)
	}
	return e.removeDialog(ctx, dialogID)
}

// DeleteDialog deletes a dialog for everybody (its owner only).
func (e *Engine) DeleteDialog(ctx context.Context, dialogID string) error {
	if err := e.deleteDialogs(ctx, dialogID, true); err != nil {
		return err
	}
	return e.removeDialog(ctx, dialogID)
}

func (e *Engine) deleteDialogs(ctx context.Context, dialogID string, force bool) error {
	var res *cube.BulkDeleteResult
	err := e.rest(ctx, func(c *cube.Client) (err error) {
		res, err = c.DeleteDialogs(ctx, []string{dialogID}, force)
		return err
	})
	if err != nil {
		return offlineOr("deleting the dialog", err)
	}
	if slices.Contains(res.WrongPermissions.IDs, dialogID) {
		return fmt.Errorf("sync: you may not delete dialog %s", dialogID)
	}
	return nil // NotFound: already gone
}

// ClearHistory removes the dialog's messages for the user, on the server and here.
func (e *Engine) ClearHistory(ctx context.Context, dialogID string) error {
	if err := e.rest(ctx, func(c *cube.Client) error { return c.ClearHistory(ctx, dialogID, false) }); err != nil {
		return offlineOr("clearing the history", err)
	}
	return e.db.ClearHistory(ctx, dialogID)
}

// SetNotifications turns the dialog's notifications on or off: the server's push
// setting and the local Muted mark (which silences desktop notifications).
func (e *Engine) SetNotifications(ctx context.Context, dialogID string, enabled bool) error {
	if err := e.rest(ctx, func(c *cube.Client) error { return c.SetDialogNotifications(ctx, dialogID, enabled) }); err != nil {
		return offlineOr("changing notifications", err)
	}
	if err := e.db.SetNotificationsEnabled(ctx, dialogID, enabled); err != nil {
		return err
	}
	return e.db.SetMuted(ctx, dialogID, !enabled)
}

// SubscribePublic joins a public dialog.
func (e *Engine) SubscribePublic(ctx context.Context, dialogID string) error {
	var d *cube.Dialog
	if err := e.rest(ctx, func(c *cube.Client) (err error) {
		d, err = c.SubscribePublicDialog(ctx, dialogID)
		return err
	}); err != nil {
		return offlineOr("joining the dialog", err)
	}
	if d != nil && d.ID != "" {
		if err := e.storeDialogs(ctx, []cube.Dialog{*d}); err != nil {
			return err
		}
	}
	return e.db.SetSubscribed(ctx, dialogID, true)
}

// UnsubscribePublic leaves a public dialog (it stays browsable).
func (e *Engine) UnsubscribePublic(ctx context.Context, dialogID string) error {
	if err := e.rest(ctx, func(c *cube.Client) error { return c.UnsubscribePublicDialog(ctx, dialogID) }); err != nil {
		return offlineOr("leaving the dialog", err)
	}
	err := e.db.SetSubscribed(ctx, dialogID, false)
	if errors.Is(err, cache.ErrNotFound) {
		return nil
	}
	return err
}

// publicDialogsLimit bounds one PublicDialogs listing.
const publicDialogsLimit = 100

// PublicDialogs lists the public dialogs the server lists for this user (not
// stored), to join with SubscribePublic. cubeserver lists every public dialog for a
// type=4 query; a server that lists only those created or joined leaves the others to
// SearchServer.
func (e *Engine) PublicDialogs(ctx context.Context) ([]cache.Dialog, error) {
	var list *cube.DialogList
	if err := e.rest(ctx, func(c *cube.Client) (err error) {
		list, err = c.ListDialogs(ctx, cube.DialogFilter{TypeIn: []int{cube.DialogPublic},
			SortDesc: "updated_at", Limit: publicDialogsLimit})
		return err
	}); err != nil {
		return nil, offlineOr("listing public dialogs", err)
	}
	out := make([]cache.Dialog, len(list.Items))
	ids := make([]string, len(list.Items))
	for i, d := range list.Items {
		out[i], ids[i] = dialogFromWire(d), d.ID
	}
	// Joined ones say so from the cache, not from what a list on screen shows yet: a
	// chat created or joined a moment ago must offer "Open", not "Join".
	cached, err := e.db.DialogsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	me, joined := e.Me(), map[string]bool{}
	for _, d := range cached {
		joined[d.ID] = !d.Hidden && (d.Subscribed || d.OwnerID == me)
	}
	for i := range out {
		out[i].Subscribed = out[i].Subscribed || joined[out[i].ID]
	}
	return out, nil
}
