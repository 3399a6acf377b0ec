package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// blockListName is the privacy list this app keeps as the default list.
const blockListName = "cubechat-blocklist"

// privacyTimeout bounds one privacy-list edit (several IQs).
const privacyTimeout = 20 * time.Second

// Block puts userID on the block list: their messages no longer reach us, and
// with mutual we cannot write to them either. It needs the connection.
func (e *Engine) Block(ctx context.Context, userID int64, mutual bool) error {
	if userID <= 0 || userID == e.Me() {
		return fmt.Errorf("sync: cannot block user %d", userID)
	}
	return e.editBlockList(ctx, func(entries []cube.PrivacyEntry) []cube.PrivacyEntry {
		entries = slices.DeleteFunc(entries, func(p cube.PrivacyEntry) bool { return p.UserID == userID })
		return append(entries, cube.PrivacyEntry{UserID: userID, Action: cube.PrivacyDeny, MutualBlock: mutual})
	})
}

// Unblock takes userID off the block list.
func (e *Engine) Unblock(ctx context.Context, userID int64) error {
	return e.editBlockList(ctx, func(entries []cube.PrivacyEntry) []cube.PrivacyEntry {
		return slices.DeleteFunc(entries, func(p cube.PrivacyEntry) bool { return p.UserID == userID })
	})
}

// editBlockList reads our list, edits it and writes it back the way the SDK
// docs do (docs/protocol.md §8.12): decline the default, write the list, make it the
// default again. An empty list is deleted instead (there is nothing to enforce).
// The cache mirrors the result.
func (e *Engine) editBlockList(ctx context.Context, edit func([]cube.PrivacyEntry) []cube.PrivacyEntry) error {
	chat := e.connChat()
	if chat == nil {
		return fmt.Errorf("%w: changing the block list needs the connection", ErrOffline)
	}
	ctx, cancel := context.WithTimeout(ctx, privacyTimeout)
	defer cancel()
	current, err := readBlockList(ctx, chat)
	if err != nil {
		return err
	}
	next := edit(slices.Clone(current))
	if err := chat.SetDefaultPrivacyList(ctx, ""); err != nil {
		return fmt.Errorf("sync: declining the default privacy list: %w", err)
	}
	if len(next) == 0 {
		if len(current) > 0 {
			if err := chat.DeletePrivacyList(ctx, blockListName); err != nil {
				return fmt.Errorf("sync: deleting the empty block list: %w", err)
			}
		}
	} else {
		if err := chat.CreatePrivacyList(ctx, cube.PrivacyList{Name: blockListName, Items: next}); err != nil {
			return fmt.Errorf("sync: writing the block list: %w", err)
		}
		if err := chat.SetDefaultPrivacyList(ctx, blockListName); err != nil {
			return fmt.Errorf("sync: making the block list the default: %w", err)
		}
	}
	return e.mirrorBlockList(ctx, next)
}

// readBlockList is our list's entries; a list that does not exist is empty.
func readBlockList(ctx context.Context, chat *cube.Chat) ([]cube.PrivacyEntry, error) {
	list, err := chat.GetPrivacyList(ctx, blockListName)
	var iqErr *cube.IQError
	if errors.As(err, &iqErr) && iqErr.Condition == "item-not-found" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sync: reading the block list: %w", err)
	}
	return list.Items, nil
}

// mirrorBlockList stores the deny entries in the cache.
func (e *Engine) mirrorBlockList(ctx context.Context, entries []cube.PrivacyEntry) error {
	var blocked []cache.Blocked
	for _, p := range entries {
		if p.Action == cube.PrivacyDeny {
			blocked = append(blocked, cache.Blocked{UserID: p.UserID, Mutual: p.MutualBlock})
		}
	}
	if err := e.db.SetBlocked(ctx, blocked); err != nil {
		return fmt.Errorf("sync: saving the block list: %w", err)
	}
	return nil
}

// syncBlockList reads the default privacy list (ours, or one another client set)
// into the cache after a connect; no default list means nobody is blocked.
func (e *Engine) syncBlockList(ctx context.Context, chat *cube.Chat) error {
	ctx, cancel := context.WithTimeout(ctx, privacyTimeout)
	defer cancel()
	names, err := chat.PrivacyListNames(ctx)
	if err != nil {
		return fmt.Errorf("sync: listing privacy lists: %w", err)
	}
	if names.Default == "" {
		return e.mirrorBlockList(ctx, nil)
	}
	list, err := chat.GetPrivacyList(ctx, names.Default)
	if err != nil {
		return fmt.Errorf("sync: reading privacy list %q: %w", names.Default, err)
	}
	return e.mirrorBlockList(ctx, list.Items)
}
