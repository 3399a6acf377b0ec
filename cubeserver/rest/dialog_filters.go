package rest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/cubechat/cubechat/cubeserver/store"
)

// dialogQuery reads the filters of GET /chat/Dialog (docs/protocol.md §3.3): _id and type
// (plain, in, ne, nin), name and extensions[key] (plain, ne, in, nin, ctn), updated_at,
// created_at, last_message_date_sent (plain, gt, gte, lt, lte, ne), limit (default and
// max 100), skip, sort_asc / sort_desc.
func dialogQuery(q url.Values, viewer int64) (store.DialogQuery, error) {
	if err := checkFilterSize(q); err != nil {
		return store.DialogQuery{}, err
	}
	dq := store.DialogQuery{UserID: viewer, IDs: queryStrings(q, "_id")}
	dq.ID = store.StringFilter{NE: optional(q, "_id[ne]"), NIn: queryList(q, "_id[nin]")}
	types, err := queryInts(q, "type")
	if err != nil {
		return dq, err
	}
	for _, t := range types {
		dq.Types = append(dq.Types, int(t))
	}
	for _, key := range []string{"type[ne]", "type[nin]"} {
		for _, s := range queryList(q, key) {
			n, err := strconv.Atoi(s)
			if err != nil {
				return dq, fmt.Errorf("%s: %q is not an integer", key, s)
			}
			dq.TypesNot = append(dq.TypesNot, n)
		}
	}
	dq.Name = stringFilter(q, "name")
	if dq.Extensions, err = extensionFilters(q); err != nil {
		return dq, err
	}
	if dq.UpdatedAt, err = timeRange(q, "updated_at"); err != nil {
		return dq, err
	}
	if dq.CreatedAt, err = timeRange(q, "created_at"); err != nil {
		return dq, err
	}
	if dq.LastMessageDateSent, err = intRange(q, "last_message_date_sent"); err != nil {
		return dq, err
	}
	if dq.Limit, dq.Skip, err = page(q, 100, 100); err != nil {
		return dq, err
	}
	if field, desc := sortParam(q); field != "" {
		name, ok := dialogSortAliases[field]
		if !ok {
			return dq, apiMessagef("Cannot sort dialogs by %s", field)
		}
		dq.SortField, dq.SortDesc = name, desc
	}
	return dq, nil
}

// stringFilter reads key, key[ne], key[in], key[nin] and key[ctn].
func stringFilter(q url.Values, key string) store.StringFilter {
	return store.StringFilter{
		EQ:  optional(q, key),
		NE:  optional(q, key+"[ne]"),
		Ctn: optional(q, key+"[ctn]"),
		In:  queryList(q, key+"[in]"),
		NIn: queryList(q, key+"[nin]"),
	}
}

// optional returns the value of key, nil when it is absent.
func optional(q url.Values, key string) *string {
	if _, ok := q[key]; !ok {
		return nil
	}
	v := q.Get(key)
	return &v
}

// extensionFilters reads extensions[key]=v and extensions[key][op]=v.
func extensionFilters(q url.Values) (map[string]store.StringFilter, error) {
	keys := map[string]bool{}
	for k := range q {
		rest, ok := strings.CutPrefix(k, "extensions[")
		if !ok {
			continue
		}
		name, _, ok := strings.Cut(rest, "]")
		if !ok || !validFieldName(name) {
			return nil, fmt.Errorf("%s: not a valid extensions filter", k)
		}
		keys[name] = true
	}
	if len(keys) == 0 {
		return nil, nil
	}
	out := map[string]store.StringFilter{}
	for name := range keys {
		out[name] = stringFilter(q, "extensions["+name+"]")
	}
	return out, nil
}
