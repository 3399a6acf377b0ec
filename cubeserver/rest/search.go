package rest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// Limits of the global search (docs/protocol.md §6, the docs' "Global search").
const (
	searchMinRunes   = 5 // "should be longer than 4 symbols"
	searchMaxDialogs = 10
	searchMaxLimit   = 100
)

// searchWindowMonths is how far start_date and end_date may be apart.
const searchWindowMonths = 3

// searchAnswer is the documented envelope. users is always empty: the search covers
// messages and dialog names only.
type searchAnswer struct {
	Results struct {
		Dialogs  []cube.Dialog  `json:"dialogs"`
		Messages []cube.Message `json:"messages"`
		Users    []cube.User    `json:"users"`
	} `json:"results"`
}

// GET /chat/search?search_text=…[&chat_dialog_ids=a,b][&start_date=…&end_date=…][&limit=N]:
// a case-sensitive substring search over message bodies and dialog names, within the
// dialogs the caller may read. start_date is the newer bound (lte), end_date the older
// one (gte): messages are bounded by date_sent, dialogs by their creation. Messages come
// newest first; limit (default and max 100) applies to each list.
func (h *Handler) search(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	text := q.Get("search_text")
	if utf8.RuneCountInString(text) < searchMinRunes {
		writeFieldError(w, http.StatusUnprocessableEntity, "search_text", "should be longer than 4 characters")
		return
	}
	sq := store.SearchQuery{UserID: rc.session.UserID, Text: text, Limit: searchMaxLimit,
		DialogIDs: queryList(q, "chat_dialog_ids")}
	if len(sq.DialogIDs) > searchMaxDialogs {
		writeFieldError(w, http.StatusUnprocessableEntity, "chat_dialog_ids", "can hold at most 10 dialog ids")
		return
	}
	if s := strings.TrimSpace(q.Get("limit")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			writeFieldError(w, http.StatusUnprocessableEntity, "limit", "must be a positive integer")
			return
		}
		sq.Limit = min(n, searchMaxLimit)
	}
	if field, msg := searchWindow(q.Get("start_date"), q.Get("end_date"), &sq); msg != "" {
		writeFieldError(w, http.StatusUnprocessableEntity, field, msg)
		return
	}
	res, err := h.st.Search(r.Context(), sq)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	var out searchAnswer
	out.Results.Dialogs, out.Results.Messages, out.Results.Users = res.Dialogs, res.Messages, []cube.User{}
	writeJSON(w, http.StatusOK, out)
}

// searchWindow reads start_date (newer, lte) and end_date (older, gte) into sq. They
// are ISO-8601 with or without milliseconds (the JS SDK sends toISOString()); unix
// seconds are tolerated. end_date is required with start_date and may lie at most
// three months before it. A non-empty msg is the error for field.
func searchWindow(startRaw, endRaw string, sq *store.SearchQuery) (field, msg string) {
	startRaw, endRaw = strings.TrimSpace(startRaw), strings.TrimSpace(endRaw)
	var start, end time.Time
	var err error
	if startRaw != "" {
		if start, err = cube.ParseTime(startRaw); err != nil {
			return "start_date", "must be an ISO-8601 date"
		}
		if endRaw == "" {
			return "end_date", "is required when start_date is given"
		}
	}
	if endRaw != "" {
		if end, err = cube.ParseTime(endRaw); err != nil {
			return "end_date", "must be an ISO-8601 date"
		}
	}
	if !start.IsZero() {
		if end.After(start) {
			return "end_date", "must not be later than start_date"
		}
		if end.AddDate(0, searchWindowMonths, 0).Before(start) {
			return "end_date", "must be at most 3 months before start_date"
		}
		// date_sent is whole seconds: date_sent <= 12:00:00.500 means <= 12:00:00.
		newest := start.Unix()
		sq.DateSent.LTE = &newest
		newestMS := start.UnixMilli()
		sq.CreatedAt.LTE = &newestMS
	}
	if !end.IsZero() {
		// … and date_sent >= 12:00:00.500 means >= 12:00:01.
		oldest := end.Unix()
		if end.Nanosecond() > 0 {
			oldest++
		}
		sq.DateSent.GTE = &oldest
		oldestMS := end.UnixMilli()
		sq.CreatedAt.GTE = &oldestMS
	}
	return "", ""
}
