package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// serverView is what the server holds for one user, read over REST: the user's
// dialogs (with the user's unread counts) and every message of each, tombstones of
// deletions included, in the server's order (date_sent, then _id).
type serverView struct {
	dialogs  []cube.Dialog
	messages map[string][]cube.Message // dialog id → messages
}

// everything is an updated_at filter that matches every message: with one, the
// server also lists the tombstones of messages deleted for everyone.
var everything = time.Unix(1, 0)

// readServerView pages through the user's dialogs and messages. Nothing is marked
// read (mark_as_read=0 is the SDK's default for a filter).
func readServerView(ctx context.Context, cl *cube.Client) (*serverView, error) {
	v := &serverView{messages: map[string][]cube.Message{}}
	for skip := 0; ; {
		page, err := cl.ListDialogs(ctx, cube.DialogFilter{Limit: 100, Skip: skip})
		if err != nil {
			return nil, fmt.Errorf("list dialogs: %w", err)
		}
		v.dialogs = append(v.dialogs, page.Items...)
		skip += len(page.Items)
		if len(page.Items) < 100 {
			break
		}
	}
	for _, d := range v.dialogs {
		var all []cube.Message
		for skip := 0; ; {
			page, err := cl.ListMessages(ctx, cube.MessageFilter{DialogID: d.ID, UpdatedAtGTE: everything,
				SortAsc: "date_sent", Limit: 100, Skip: skip})
			if err != nil {
				return nil, fmt.Errorf("list messages of %s: %w", d.ID, err)
			}
			all = append(all, page.Items...)
			skip += len(page.Items)
			if len(page.Items) < 100 {
				break
			}
		}
		v.messages[d.ID] = all
	}
	return v, nil
}

// reactionBook fetches the full reaction lists (emoji → user ids) of messages, once
// each: a message list only carries totals and the reader's own. Each message is
// asked for as a user who can see it (the one whose view listed it first).
type reactionBook struct {
	viewer map[string]*cube.Client // message id → client of an occupant
	full   map[string]map[string][]int64
}

func (b *reactionBook) of(ctx context.Context, m cube.Message) (map[string][]int64, error) {
	if m.Reactions == nil || len(m.Reactions.Total) == 0 {
		return nil, nil
	}
	if r, ok := b.full[m.ID]; ok {
		return r, nil
	}
	r, err := b.viewer[m.ID].ListReactions(ctx, m.ID)
	if err != nil {
		return nil, fmt.Errorf("reactions of %s: %w", m.ID, err)
	}
	b.full[m.ID] = r
	return r, nil
}
