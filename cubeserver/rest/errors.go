package rest

import (
	"net/http"

	json "github.com/goccy/go-json"
)

// errorBody is ConnectyCube's general error envelope: {"errors":{"base":[…]}} or keyed by
// field ({"errors":{"login":["has already been taken"]}}).
type errorBody struct {
	Errors map[string][]string `json:"errors"`
}

// writeJSON answers v as JSON. goccy/go-json writes the same bytes as encoding/json
// (sorted map keys, HTML escaped) in about a third of the time; a page of messages
// was a fifth of the server's CPU in a catch-up (docs/benchmarks.md, issue 10).
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":{"base":["Internal server error"]}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeErrors answers {"errors":{"base":[msgs…]}}.
func writeErrors(w http.ResponseWriter, status int, msgs ...string) {
	writeJSON(w, status, errorBody{Errors: map[string][]string{"base": msgs}})
}

// writeFieldError answers {"errors":{field:[msg]}}.
func writeFieldError(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, errorBody{Errors: map[string][]string{field: {msg}}})
}

// writeSessionMissing is the exact answer for a missing, unknown or expired token: JS
// SDK 6 matches this string to fire sessionExpired and retry (docs/protocol.md §2.4).
func writeSessionMissing(w http.ResponseWriter) {
	writeErrors(w, http.StatusUnauthorized, "Required session does not exist")
}

// writeUnauthorized is the answer to wrong credentials: {"errors":["Unauthorized"]}.
func writeUnauthorized(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, map[string][]string{"errors": {"Unauthorized"}})
}

// writeEmpty answers 200 with an empty body, for calls the JS SDK reads as text.
func writeEmpty(w http.ResponseWriter) {
	w.WriteHeader(http.StatusOK)
}
