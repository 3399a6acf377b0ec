package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/cubechat/cubechat/cube"
)

// CreateDialog creates a dialog on the server (a private one may come back as the
// existing dialog with that user), stores it and returns its id. It needs the server.
func (e *Engine) CreateDialog(ctx context.Context, typ int, name string, occupants []int64) (string, error) {
	switch typ {
	case cube.DialogPrivate:
		if len(occupants) != 1 {
			return "", errors.New("sync: a private dialog needs exactly one other occupant")
		}
	case cube.DialogGroup, cube.DialogPublic:
		if name == "" {
			return "", errors.New("sync: a group dialog needs a name")
		}
	default:
		return "", fmt.Errorf("sync: cannot create a dialog of type %d", typ)
	}
	var d *cube.Dialog
	err := e.rest(ctx, func(c *cube.Client) (err error) {
		d, err = c.CreateDialog(ctx, cube.NewDialog{Type: typ, Name: name, OccupantsIDs: occupants})
		return err
	})
	if err != nil {
		if isUnreachable(err) {
			return "", fmt.Errorf("%w: creating a dialog needs the server: %w", ErrOffline, err)
		}
		return "", fmt.Errorf("sync: creating the dialog: %w", err)
	}
	if err := e.storeDialogs(ctx, []cube.Dialog{*d}); err != nil {
		return "", fmt.Errorf("sync: storing the new dialog: %w", err)
	}
	return d.ID, nil
}
