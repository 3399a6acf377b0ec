package rest

import (
	"errors"
	"strings"
)

var errTagList = errors.New("must be a list of strings or a comma-separated string")

// userTags reads tag_list (or user_tags) as the SDK sends it: an array of strings (the
// typing is string[]) or one comma-separated string. Either way the stored value is the
// comma-separated list without spaces or empty items, as user_tags is answered
// (docs/protocol.md §2.6). Anything else is refused so that no tag is silently lost.
func userTags(v any) (string, error) {
	var parts []string
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		parts = strings.Split(v, ",")
	case []any:
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return "", errTagList
			}
			parts = append(parts, strings.Split(s, ",")...)
		}
	default:
		return "", errTagList
	}
	tags := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			tags = append(tags, p)
		}
	}
	return strings.Join(tags, ","), nil
}
