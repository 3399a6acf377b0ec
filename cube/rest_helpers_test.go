package cube

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// statusServer answers every request with status and body.
func statusServer(t *testing.T, status int, body string) (*Client, *httptest.Server) {
	t.Helper()
	return handlerServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		w.Write([]byte(body))
	})
}

// handlerServer runs h and returns a client pointed at it.
func handlerServer(t *testing.T, h http.HandlerFunc) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return NewClient(Config{AppID: 1, AuthKey: "AK", APIURL: srv.URL}), srv
}
