package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// catchUpPage is the most GET /chat/Message returns at once.
const catchUpPage = 100

// catchUpFigures is a fresh client reading one dialog's whole history over REST.
type catchUpFigures struct {
	Messages, Pages int
	Login           time.Duration // POST /session
	FirstPage       time.Duration // the first page after login: what a user waits for
	Fetch           time.Duration // every page
}

// measureCatchUp logs reader in with a new client (no token, no cache) and pages
// through the dialog oldest first, as the sync engine does on first start: sorted by
// date_sent, paged with skip (many messages share one date_sent second), never
// marking anything read. Every message must arrive exactly once.
func measureCatchUp(ctx context.Context, cfg cube.Config, reader *account, dialogID string, want int) (catchUpFigures, error) {
	var fig catchUpFigures
	c := cube.NewClient(cfg)
	start := time.Now()
	if _, err := c.CreateSession(ctx, reader.user.Login, reader.password); err != nil {
		return fig, fmt.Errorf("catch-up login: %w", err)
	}
	fig.Login = time.Since(start)
	start = time.Now()
	seen := make(map[string]bool, want)
	for {
		page, err := c.ListMessages(ctx, cube.MessageFilter{DialogID: dialogID, SortAsc: "date_sent",
			Limit: catchUpPage, Skip: fig.Pages * catchUpPage})
		if err != nil {
			return fig, fmt.Errorf("catch-up page %d: %w", fig.Pages+1, err)
		}
		fig.Pages++
		if fig.Pages == 1 {
			fig.FirstPage = time.Since(start)
		}
		for _, m := range page.Items {
			if seen[m.ID] {
				return fig, fmt.Errorf("catch-up: message %s came twice", m.ID)
			}
			seen[m.ID] = true
		}
		if len(page.Items) < catchUpPage {
			break
		}
	}
	fig.Fetch = time.Since(start)
	fig.Messages = len(seen)
	if fig.Messages != want {
		return fig, fmt.Errorf("catch-up read %d messages, want %d", fig.Messages, want)
	}
	return fig, nil
}
