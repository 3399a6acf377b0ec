package rest

import (
	"encoding/json"

	"github.com/cubechat/cubechat/cube"
)

// nullableUserFields are the user fields answered as null while unset, as the SDK typing
// (email: string | null, …) and the docs' examples have them (docs/protocol.md §2.6).
// cube.User omits them instead, so that requests of our own SDK never send a null that
// a server could read as "clear this field".
var nullableUserFields = []string{"email", "phone", "website", "external_user_id", "facebook_id",
	"twitter_id", "custom_data", "blob_id", "avatar", "user_tags"}

// userOut is a user as the server answers it.
type userOut cube.User

func (u userOut) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(cube.User(u))
	if err != nil {
		return nil, err
	}
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	for _, k := range nullableUserFields {
		if _, ok := fields[k]; !ok {
			fields[k] = json.RawMessage("null")
		}
	}
	return json.Marshal(fields)
}

// usersOut converts a list for an answer (never nil: an empty list is []).
func usersOut(us []cube.User) []userOut {
	out := make([]userOut, len(us))
	for i, u := range us {
		out[i] = userOut(u)
	}
	return out
}

// userListOut is cube.UserList with its items answered as userOut.
type userListOut struct {
	Limit        int       `json:"limit"`
	Skip         int       `json:"skip"`
	TotalEntries int       `json:"total_entries"`
	Items        []userOut `json:"items"`
}
