package cube

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Error is every non-2xx REST answer: the status and ConnectyCube's error body.
type Error struct {
	Status   int
	Messages []string // "base" messages as they are, field messages as "field message"
	Body     []byte
}

func (e *Error) Error() string {
	msg := strings.Join(e.Messages, "; ")
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("cube: HTTP %d: %s", e.Status, msg)
}

// IsStatus tells whether err is (or wraps) a REST *Error with the given status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// parseError reads both error shapes the API uses:
// {"errors":{"base":["msg"],"login":["has already been taken"]}} and {"errors":["msg"]}.
// A body that is neither still yields an *Error with the status and raw body.
func parseError(status int, body []byte) *Error {
	e := &Error{Status: status, Body: body}
	var env struct {
		Errors  json.RawMessage `json:"errors"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &env) != nil {
		return e
	}
	var list []any
	var byField map[string]any
	switch {
	case json.Unmarshal(env.Errors, &list) == nil:
		for _, v := range list {
			e.Messages = append(e.Messages, errorText(v)...)
		}
	case json.Unmarshal(env.Errors, &byField) == nil:
		fields := make([]string, 0, len(byField))
		for f := range byField {
			fields = append(fields, f)
		}
		// "base" first, then fields in a stable order.
		sort.Slice(fields, func(i, j int) bool {
			if (fields[i] == "base") != (fields[j] == "base") {
				return fields[i] == "base"
			}
			return fields[i] < fields[j]
		})
		for _, f := range fields {
			for _, m := range errorText(byField[f]) {
				if f != "base" {
					m = f + " " + m
				}
				e.Messages = append(e.Messages, m)
			}
		}
	}
	if len(e.Messages) == 0 && env.Message != "" {
		e.Messages = []string{env.Message}
	}
	return e
}

// errorText flattens one error value: a string, or a list of strings.
func errorText(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, errorText(x)...)
		}
		return out
	case nil:
		return nil
	default:
		b, _ := json.Marshal(t)
		return []string{string(b)}
	}
}
