package rest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// maxFilterValues bounds the comma-separated values of one request's query. Every
// list value becomes an SQL parameter, and SQLite refuses a statement with more than
// 32766; far below that, a clear 422 beats an internal error. Clients page their id
// lists (the SDK asks for users 100 at a time).
const maxFilterValues = 1000

// checkFilterSize refuses a query that holds more than maxFilterValues values.
func checkFilterSize(q url.Values) error {
	n := 0
	for _, vs := range q {
		for _, v := range vs {
			n += strings.Count(v, ",") + 1
		}
	}
	if n > maxFilterValues {
		return fmt.Errorf("too many filter values (%d); at most %d per request", n, maxFilterValues)
	}
	return nil
}

// queryList collects a list filter from key=a,b and key[]=a&key[]=b (the JS SDK sends
// either form, see docs/protocol.md §2.2), trimmed and without empty parts.
func queryList(q url.Values, key string) []string {
	var out []string
	for _, k := range []string{key, key + "[]"} {
		for _, v := range q[k] {
			out = append(out, splitList(v)...)
		}
	}
	return out
}

// queryInts reads the integers of key and key[in] (both list forms).
func queryInts(q url.Values, key string) ([]int64, error) {
	var out []int64
	for _, k := range []string{key, key + "[in]"} {
		for _, s := range queryList(q, k) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not an integer", k, s)
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// queryStrings reads the values of key and key[in] (both list forms).
func queryStrings(q url.Values, key string) []string {
	return append(queryList(q, key), queryList(q, key+"[in]")...)
}

var rangeOps = []string{"gt", "gte", "lt", "lte"}

// intRange reads key=v and key[op]=v as plain integers (date_sent in unix seconds).
func intRange(q url.Values, key string) (store.Range, error) {
	return parseRange(q, key, func(s string) (int64, error) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not an integer", s)
		}
		return n, nil
	})
}

// timeRange reads key=v and key[op]=v as times (unix seconds or ISO-8601) and turns them
// into the store's unix milliseconds. A bound is an instant: updated_at[gt]=T matches
// anything after T.000, so changes made later within the same second are never lost
// (a client may see the row whose second is T once more, and de-duplicates it).
func timeRange(q url.Values, key string) (store.Range, error) {
	return parseRange(q, key, func(s string) (int64, error) {
		t, err := cube.ParseTime(s)
		if err != nil {
			return 0, fmt.Errorf("%q is neither unix seconds nor an ISO-8601 time", s)
		}
		return t.UnixMilli(), nil
	})
}

func parseRange(q url.Values, key string, parse func(string) (int64, error)) (store.Range, error) {
	var r store.Range
	bounds := map[string]**int64{"": &r.EQ, "gt": &r.GT, "gte": &r.GTE, "lt": &r.LT, "lte": &r.LTE}
	for _, op := range append([]string{""}, rangeOps...) {
		name := key
		if op != "" {
			name = key + "[" + op + "]"
		}
		s := strings.TrimSpace(q.Get(name))
		if s == "" {
			continue
		}
		n, err := parse(s)
		if err != nil {
			return store.Range{}, fmt.Errorf("%s: %v", name, err)
		}
		*bounds[op] = &n
	}
	return r, nil
}

// page reads limit (default def, at most max) and skip (alias offset).
func page(q url.Values, def, max int) (limit, skip int, err error) {
	limit, skip = def, 0
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, 0, fmt.Errorf("limit must be a non-negative integer, got %q", s)
		}
		if n > 0 {
			limit = min(n, max)
		}
	}
	for _, k := range []string{"skip", "offset"} {
		if s := q.Get(k); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return 0, 0, fmt.Errorf("%s must be a non-negative integer, got %q", k, s)
			}
			skip = n
		}
	}
	return limit, skip, nil
}

// sortParam reads sort_desc (which wins) or sort_asc; "" when neither is given.
func sortParam(q url.Values) (field string, desc bool) {
	if f := strings.TrimSpace(q.Get("sort_desc")); f != "" {
		return f, true
	}
	return strings.TrimSpace(q.Get("sort_asc")), false
}

// isTrue reads a query flag such as count=1.
func isTrue(q url.Values, key string) bool {
	switch strings.ToLower(q.Get(key)) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// countAnswer is the answer of list endpoints called with count=1.
func countAnswer(n int) cube.CountResult {
	var c cube.CountResult
	c.Items.Count = n
	return c
}
