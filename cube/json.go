package cube

import json "github.com/goccy/go-json"

// unmarshalJSON decodes a REST answer.
func unmarshalJSON(b []byte, v any) error { return json.Unmarshal(b, v) }

// marshalJSON encodes v.
func marshalJSON(v any) ([]byte, error) { return json.Marshal(v) }
