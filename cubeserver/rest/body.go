package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBodyBytes bounds JSON and form bodies; attachments travel as blobs, not here.
const maxBodyBytes = 1 << 20

// errBodyTooLarge marks a body over maxBodyBytes (413 rather than 400).
var errBodyTooLarge = errors.New("request body is larger than 1 MiB")

// params is a request body (or query) as nested values: JSON objects stay maps (numbers
// as json.Number), and form keys like user[login] or ids[] become the same shape.
type params map[string]any

// readBody parses a JSON or form-encoded body. An empty body is an empty map.
func readBody(w http.ResponseWriter, r *http.Request) (params, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errBodyTooLarge
		}
		return nil, fmt.Errorf("cannot read request body: %w", err)
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return params{}, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" && trimmed[0] != '{' {
		vals, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return nil, fmt.Errorf("malformed form body: %w", err)
		}
		return fromValues(vals), nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var p params
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("malformed JSON body: %w", err)
	}
	if dec.More() {
		return nil, errors.New("malformed JSON body: data after the object")
	}
	if p == nil {
		return params{}, nil
	}
	return nestBracketKeys(p), nil
}

// nestBracketKeys moves flat JSON keys like "user[login]" into nested objects, so that
// {"user[login]":"x"} and {"user":{"login":"x"}} read the same.
func nestBracketKeys(p params) params {
	for key, v := range p {
		path := bracketPath(key)
		if len(path) == 1 {
			continue
		}
		if s, ok := scalarString(v); ok {
			delete(p, key)
			setPath(p, path, s)
		}
	}
	return p
}

// writeBodyError answers a readBody failure.
func writeBodyError(w http.ResponseWriter, err error) {
	if errors.Is(err, errBodyTooLarge) {
		writeErrors(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	}
	writeErrors(w, http.StatusBadRequest, err.Error())
}

// fromValues nests bracket keys: user[login]=x → {"user":{"login":"x"}}, a[]=1&a[]=2 →
// {"a":["1","2"]}. A plain repeated key keeps its last value.
func fromValues(vals url.Values) params {
	p := params{}
	for key, vs := range vals {
		path := bracketPath(key)
		for _, v := range vs {
			setPath(p, path, v)
		}
	}
	return p
}

// bracketPath splits "a[b][]" into ["a", "b", ""].
func bracketPath(key string) []string {
	i := strings.IndexByte(key, '[')
	if i <= 0 || !strings.HasSuffix(key, "]") {
		return []string{key}
	}
	return append([]string{key[:i]}, strings.Split(key[i+1:len(key)-1], "][")...)
}

func setPath(m map[string]any, path []string, v string) {
	key := path[0]
	if len(path) == 1 {
		m[key] = v
		return
	}
	if path[1] == "" { // key[] appends
		list, _ := m[key].([]any)
		m[key] = append(list, v)
		return
	}
	child, ok := m[key].(map[string]any)
	if !ok {
		child = map[string]any{}
		m[key] = child
	}
	setPath(child, path[1:], v)
}

// get walks nested maps; nil when a step is missing.
func (p params) get(path ...string) any {
	var cur any = map[string]any(p)
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// str returns a scalar as text ("" and false when missing or not a scalar).
func (p params) str(path ...string) (string, bool) {
	return scalarString(p.get(path...))
}

func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

// int64At reads an integer given as a JSON number or a string; ok=false when missing.
func (p params) int64At(path ...string) (n int64, ok bool, err error) {
	s, present := p.str(path...)
	if !present || strings.TrimSpace(s) == "" {
		return 0, false, nil
	}
	n, err = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, true, fmt.Errorf("%s must be an integer", strings.Join(path, "."))
	}
	return n, true, nil
}

// truthy reads flags sent as 1, "1", true or "true".
func (p params) truthy(path ...string) bool {
	s, _ := p.str(path...)
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// idList reads a list of user ids sent as a JSON array (numbers or strings), a
// comma-separated string with optional spaces ("7, 8", as JS SDK 6 sends), or key[].
func (p params) idList(key string) ([]int64, error) {
	var items []string
	switch v := p.get(key).(type) {
	case nil:
		return nil, nil
	case []any:
		for _, e := range v {
			s, ok := scalarString(e)
			if !ok {
				return nil, fmt.Errorf("%s must hold numbers", key)
			}
			items = append(items, splitList(s)...)
		}
	default:
		s, ok := scalarString(v)
		if !ok {
			return nil, fmt.Errorf("%s must be a list of numbers", key)
		}
		items = splitList(s)
	}
	return parseIDs(key, items)
}

func parseIDs(key string, items []string) ([]int64, error) {
	ids := make([]int64, 0, len(items))
	for _, s := range items {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%s: %q is not a user id", key, s)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// splitList splits "a, b,c" into trimmed, non-empty parts.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
