package cube

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of GET /chat/search (docs/protocol.md §6).
const (
	searchMinTextLen   = 5 // "longer than 4 characters"
	searchMaxDialogs   = 10
	searchMaxLimit     = 100
	searchMaxDateRange = 92 * 24 * time.Hour // "at most 3 months"
)

// SearchQuery is a global search over the user's dialogs and messages. The server
// matches Text case-sensitively. StartDate is the newer bound and EndDate the older
// one, as the API defines them; EndDate is required with StartDate.
type SearchQuery struct {
	Text      string
	DialogIDs []string // at most 10; none = all dialogs
	StartDate time.Time
	EndDate   time.Time
	Limit     int // at most 100; 0 = the server's default
}

// SearchResult holds what matched.
type SearchResult struct {
	Dialogs  []Dialog  `json:"dialogs"`
	Messages []Message `json:"messages"`
	Users    []User    `json:"users"`
}

// validate applies the documented limits, so a bad query fails before the network.
func (q SearchQuery) validate() error {
	if utf8.RuneCountInString(strings.TrimSpace(q.Text)) < searchMinTextLen {
		return fmt.Errorf("cube: search text must be longer than %d characters", searchMinTextLen-1)
	}
	if len(q.DialogIDs) > searchMaxDialogs {
		return fmt.Errorf("cube: search takes at most %d dialogs, got %d", searchMaxDialogs, len(q.DialogIDs))
	}
	if q.Limit < 0 || q.Limit > searchMaxLimit {
		return fmt.Errorf("cube: search limit must be 0..%d", searchMaxLimit)
	}
	if !q.StartDate.IsZero() {
		if q.EndDate.IsZero() {
			return errors.New("cube: search with a start date needs an end date")
		}
		if span := q.StartDate.Sub(q.EndDate).Abs(); span > searchMaxDateRange {
			return errors.New("cube: search dates may be at most 3 months apart")
		}
	}
	return nil
}

// GlobalSearch searches dialog names and message texts (GET /chat/search). It reads
// the documented {"results":{…}} answer and the unwrapped form of older servers.
func (c *Client) GlobalSearch(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	r := c.request(ctx).SetQueryParam("search_text", q.Text)
	if len(q.DialogIDs) > 0 {
		r.SetQueryParam("chat_dialog_ids", strings.Join(q.DialogIDs, ","))
	}
	if !q.StartDate.IsZero() {
		r.SetQueryParam("start_date", q.StartDate.UTC().Format(time.RFC3339))
	}
	if !q.EndDate.IsZero() {
		r.SetQueryParam("end_date", q.EndDate.UTC().Format(time.RFC3339))
	}
	if q.Limit > 0 {
		r.SetQueryParam("limit", strconv.Itoa(q.Limit))
	}
	raw, err := c.do(r, http.MethodGet, "/chat/search")
	if err != nil {
		return nil, err
	}
	res, err := unwrap[SearchResult](raw, "results")
	if err != nil {
		return nil, err
	}
	return res, nil
}
