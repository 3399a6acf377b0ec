package cube

import "encoding/json"

// MarshalJSON writes a dialog as the server answers it: an unset description is
// "description": null, as the SDK typing (description: string | null) and the docs'
// examples have it (docs/protocol.md §3.2). Reading accepts both null and a string.
func (d Dialog) MarshalJSON() ([]byte, error) {
	type plain Dialog // the same fields without this method
	b, err := json.Marshal(plain(d))
	if err != nil || d.Description != "" || len(b) < 2 {
		return b, err
	}
	out := make([]byte, 0, len(b)+20)
	out = append(out, b[:len(b)-1]...)
	return append(out, `,"description":null}`...), nil
}
