package sync

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// findUsersLimit is how many users one FindUsers asks for per filter.
const findUsersLimit = 50

// FindUsers finds users whose login or full name starts with query (for "new
// chat"); the results are cached as profiles. It needs the server.
func (e *Engine) FindUsers(ctx context.Context, query string) ([]cache.User, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	filters := []cube.UserFilter{
		{LoginPrefix: query, Limit: findUsersLimit},
		{FullNamePrefix: query, Limit: findUsersLimit},
	}
	seen := map[int64]bool{}
	var found []cube.User
	for _, f := range filters {
		var page *cube.UserList
		err := e.rest(ctx, func(c *cube.Client) (err error) {
			page, err = c.ListUsers(ctx, f)
			return err
		})
		if err != nil {
			return nil, offlineOr("finding users", err)
		}
		for _, u := range page.Items {
			if !seen[u.ID] && u.ID != 0 {
				seen[u.ID] = true
				found = append(found, u)
			}
		}
	}
	out := make([]cache.User, len(found))
	for i, u := range found {
		out[i] = userFromWire(u)
	}
	if err := e.db.UpsertUsers(ctx, out); err != nil {
		return nil, fmt.Errorf("sync: caching found users: %w", err)
	}
	return out, nil
}

// minServerSearch is the shortest text the server searches (it wants more than 4
// characters).
const minServerSearch = 5

// serverSearchLimit is the most messages one global search returns.
const serverSearchLimit = 100

// SearchServer searches all of the user's dialogs on the server for text (longer
// than 4 characters). The found messages, and their dialogs, are stored in the
// cache; the messages are returned newest first. Offline search is cache.Search.
func (e *Engine) SearchServer(ctx context.Context, text string) ([]cache.Message, error) {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) < minServerSearch {
		return nil, fmt.Errorf("sync: server search needs more than 4 characters, got %q", text)
	}
	var res *cube.SearchResult
	asked := time.Now()
	err := e.rest(ctx, func(c *cube.Client) (err error) {
		res, err = c.GlobalSearch(ctx, cube.SearchQuery{Text: text, Limit: serverSearchLimit})
		return err
	})
	if err != nil {
		return nil, offlineOr("searching the server", err)
	}
	if err := e.storeDialogs(ctx, res.Dialogs); err != nil {
		return nil, fmt.Errorf("sync: storing found dialogs: %w", err)
	}
	if _, err := e.upsertWire(ctx, res.Messages, e.Me(), nil, asked); err != nil {
		return nil, fmt.Errorf("sync: storing found messages: %w", err)
	}
	// Read back from the cache: the stored rows carry local state (edits, files).
	var out []cache.Message
	for _, w := range res.Messages {
		if m, err := e.db.Message(ctx, w.ID); err == nil {
			out = append(out, *m)
		}
	}
	sortNewestFirst(out)
	return out, nil
}

// offlineOr wraps a failed server call: ErrOffline when there was no answer.
func offlineOr(what string, err error) error {
	if isUnreachable(err) {
		return fmt.Errorf("%w: %s needs the server: %w", ErrOffline, what, err)
	}
	return fmt.Errorf("sync: %s: %w", what, err)
}

func sortNewestFirst(ms []cache.Message) {
	slices.SortStableFunc(ms, func(a, b cache.Message) int {
		if c := b.SentAt.Compare(a.SentAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}
