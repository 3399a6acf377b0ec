package cube

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
)

// restTimeout bounds every REST call, including reading the body.
const restTimeout = 30 * time.Second

// sdkHeader identifies this SDK the way the official ones do (CB-SDK: JS 6.1.2 - Client).
const sdkHeader = "Go cubechat"

// Client is the ConnectyCube REST API over resty. It is safe for concurrent use: the
// session token is kept here, not in resty's shared header map, and added per request.
type Client struct {
	cfg   Config
	http  *resty.Client
	files *resty.Client // blob uploads and downloads: no overall timeout, ctx bounds them
	log   *slog.Logger

	mu    sync.RWMutex
	token string
}

// NewClient builds a REST client for cfg. It makes no network calls.
func NewClient(cfg Config) *Client {
	log := cfg.logger().With("component", "cube.rest")
	hc := newResty(cfg, log).SetTimeout(restTimeout).SetHeader("Accept", "application/json")
	// A file transfer may take longer than any fixed timeout; its context bounds it.
	files := newResty(cfg, log).SetPreRequestHook(setUploadLength)
	return &Client{cfg: cfg, http: hc, files: files, log: log}
}

// newResty is the resty setup both clients share. Retried multipart readers are
// rewound (without it resty would silently retry with an empty body).
func newResty(cfg Config, log *slog.Logger) *resty.Client {
	hc := resty.New().
		SetBaseURL(strings.TrimRight(cfg.APIURL, "/")).
		SetLogger(slogResty{log}).
		SetRetryResetReaders(true).
		SetHeader("CB-SDK", sdkHeader)
	if cfg.RootCAs != nil {
		hc.SetTLSClientConfig(&tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12})
	}
	return hc
}

// Config returns the configuration the client was built with.
func (c *Client) Config() Config { return c.cfg }

// SetToken sets the session token sent as CB-Token ("" = none).
func (c *Client) SetToken(token string) {
	c.mu.Lock()
	c.token = token
	c.mu.Unlock()
}

// Token returns the current session token, or "".
func (c *Client) Token() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.token
}

// request starts a request bound to ctx that carries the session token, if any.
func (c *Client) request(ctx context.Context) *resty.Request {
	r := c.http.R().SetContext(ctx)
	if t := c.Token(); t != "" {
		r.SetHeader("CB-Token", t)
	}
	return r
}

// do executes r and turns every non-2xx answer into *Error. A transport failure is
// returned wrapped, with the method and path for context.
func (c *Client) do(r *resty.Request, method, path string) ([]byte, error) {
	body, _, err := c.doDated(r, method, path)
	return body, err
}

// doDated is do that also returns the server's Date header (zero when missing or
// unreadable).
func (c *Client) doDated(r *resty.Request, method, path string) ([]byte, time.Time, error) {
	resp, err := r.Execute(method, path)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cube: %s %s: %w", method, path, err)
	}
	body := resp.Body()
	if !resp.IsSuccess() {
		e := parseError(resp.StatusCode(), body)
		c.log.Debug("REST error", "method", method, "path", path, "status", e.Status, "messages", e.Messages)
		return nil, time.Time{}, e
	}
	date, _ := http.ParseTime(resp.Header().Get("Date"))
	return body, date, nil
}

// doJSON executes r and decodes a JSON answer into out (nil = ignore the body).
func (c *Client) doJSON(r *resty.Request, method, path string, out any) error {
	body, err := c.do(r, method, path)
	if err != nil || out == nil {
		return err
	}
	if err := unmarshalJSON(body, out); err != nil {
		return fmt.Errorf("cube: %s %s: unreadable answer: %w", method, path, err)
	}
	return nil
}

// unwrap reads an object that the API may send wrapped ({"user":{…}}) or bare ({…}).
func unwrap[T any](body []byte, key string) (*T, error) {
	var wrapped map[string]json.RawMessage
	if err := json.Unmarshal(body, &wrapped); err != nil {
		return nil, fmt.Errorf("cube: unreadable %s: %w", key, err)
	}
	raw, ok := wrapped[key]
	if !ok {
		raw = body
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("cube: unreadable %s: %w", key, err)
	}
	return v, nil
}

// slogResty routes resty's own messages to slog, so resty never writes to stderr.
type slogResty struct{ l *slog.Logger }

func (s slogResty) Errorf(format string, v ...any) { s.l.Error(fmt.Sprintf(format, v...)) }
func (s slogResty) Warnf(format string, v ...any)  { s.l.Warn(fmt.Sprintf(format, v...)) }
func (s slogResty) Debugf(format string, v ...any) { s.l.Debug(fmt.Sprintf(format, v...)) }
