package cache

import (
	"encoding/json"
	"fmt"
	"time"
)

// toMillis stores a time as unix milliseconds; the zero time is 0.
func toMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMillis is the inverse of toMillis; times come back in UTC.
func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// encodeJSON writes v as JSON text; an empty slice or map is stored as "" so
// that the common case costs nothing to decode.
func encodeJSON[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func encodeMap(m map[string]any) (string, error) {
	if len(m) == 0 {
		return "", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("custom parameters are not JSON: %w", err)
	}
	return string(b), nil
}

func decodeJSON[T any](s string) ([]T, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var v []T
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}

func decodeMap(s string) (map[string]any, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]any
	err := json.Unmarshal([]byte(s), &m)
	return m, err
}

// encodeIDs stores an id list as a JSON array ("[]" when empty, as the schema's default).
func encodeIDs(ids []int64) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids) // []int64 always marshals
	return string(b)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// encodeStringMap stores a map of strings as a JSON object ("" when empty).
func encodeStringMap(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func decodeStringMap(s string) (map[string]string, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var m map[string]string
	err := json.Unmarshal([]byte(s), &m)
	return m, err
}
