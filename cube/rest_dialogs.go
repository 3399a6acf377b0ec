package cube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DialogFilter selects dialogs for GET /chat/Dialog. Zero values are not sent.
type DialogFilter struct {
	UpdatedAtGT, UpdatedAtGTE, UpdatedAtLT time.Time // unix seconds on the wire
	TypeIn                                 []int
	IDIn                                   []string          // _id[in]
	Extensions                             map[string]string // extensions[key]=value
	Limit, Skip                            int
	SortAsc, SortDesc                      string // field names
}

// NewDialog is the body of POST /chat/Dialog.
type NewDialog struct {
	Type         int
	Name         string
	OccupantsIDs []int64
	Description  string
	Photo        string
}

// query renders the filter as ConnectyCube query parameters.
func (f DialogFilter) query() url.Values {
	q := url.Values{}
	setUnix(q, "updated_at[gt]", f.UpdatedAtGT)
	setUnix(q, "updated_at[gte]", f.UpdatedAtGTE)
	setUnix(q, "updated_at[lt]", f.UpdatedAtLT)
	if len(f.TypeIn) > 0 {
		types := make([]string, len(f.TypeIn))
		for i, t := range f.TypeIn {
			types[i] = strconv.Itoa(t)
		}
		q.Set("type[in]", strings.Join(types, ","))
	}
	if len(f.IDIn) > 0 {
		q.Set("_id[in]", strings.Join(f.IDIn, ","))
	}
	for k, v := range f.Extensions {
		q.Set("extensions["+k+"]", v)
	}
	setPaging(q, f.Limit, f.Skip, f.SortAsc, f.SortDesc)
	return q
}

func setUnix(q url.Values, key string, t time.Time) {
	if !t.IsZero() {
		q.Set(key, strconv.FormatInt(t.Unix(), 10))
	}
}

func setInt64(q url.Values, key string, n int64) {
	if n != 0 {
		q.Set(key, strconv.FormatInt(n, 10))
	}
}

func setPaging(q url.Values, limit, skip int, sortAsc, sortDesc string) {
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if skip > 0 {
		q.Set("skip", strconv.Itoa(skip))
	}
	if sortAsc != "" {
		q.Set("sort_asc", sortAsc)
	}
	if sortDesc != "" {
		q.Set("sort_desc", sortDesc)
	}
}

// ListDialogs lists the user's dialogs (GET /chat/Dialog).
func (c *Client) ListDialogs(ctx context.Context, f DialogFilter) (*DialogList, error) {
	const path = "/chat/Dialog"
	body, date, err := c.doDated(c.request(ctx).SetQueryParamsFromValues(f.query()), http.MethodGet, path)
	if err != nil {
		return nil, err
	}
	var out DialogList
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("cube: %s %s: unreadable answer: %w", http.MethodGet, path, err)
	}
	out.ServerTime = date
	return &out, nil
}

// CreateDialog creates a dialog (POST /chat/Dialog). For a private dialog the server
// may return the existing one.
func (c *Client) CreateDialog(ctx context.Context, d NewDialog) (*Dialog, error) {
	occupants := d.OccupantsIDs
	if occupants == nil {
		occupants = []int64{}
	}
	body := map[string]any{"type": d.Type, "occupants_ids": occupants}
	if d.Name != "" {
		body["name"] = d.Name
	}
	if d.Description != "" {
		body["description"] = d.Description
	}
	if d.Photo != "" {
		body["photo"] = d.Photo
	}
	var out Dialog
	if err := c.doJSON(c.request(ctx).SetBody(body), http.MethodPost, "/chat/Dialog", &out); err != nil {
		return nil, err
	}
	return &out, nil
}
