package cubeserver

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// REST is served over TLS with the same certificate as XMPP: the cube client, pinning
// that certificate, signs up, signs in and gets https blob links; a client that does not
// trust the certificate, and a plain-HTTP request to the TLS port, get nothing.
func TestRESTOverTLSWithPinnedCertificate(t *testing.T) {
	s, err := Start(context.Background(), Config{DataDir: t.TempDir(), HTTPPlainAddr: "127.0.0.1:0",
		PasswordPolicy: new(store.CheapPasswordPolicy())})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CertPEM())
	cfg := cube.Config{AppID: s.AppID(), AuthKey: s.AuthKey(), APIURL: s.HTTPURL(), RootCAs: pool}

	c := cube.NewClient(cfg)
	if _, err := c.CreateAppSession(ctx); err != nil {
		t.Fatalf("app session over TLS: %v", err)
	}
	if _, err := c.SignUp(ctx, cube.User{Login: "tls-ada", Password: "lovelace1"}); err != nil {
		t.Fatalf("sign-up over TLS: %v", err)
	}
	if _, err := c.CreateSession(ctx, "tls-ada", "lovelace1"); err != nil {
		t.Fatalf("sign-in over TLS: %v", err)
	}
	blob, err := c.CreateBlob(ctx, "a.txt", "text/plain", false)
	if err != nil {
		t.Fatalf("create blob: %v", err)
	}
	if a := blob.BlobObjectAccess; a == nil || !strings.HasPrefix(a.Params, "https://") {
		t.Fatalf("upload link handed out over TLS is not https: %+v", a)
	}

	// Without the pinned certificate the system roots do not know it: no request leaves.
	unpinned := cube.NewClient(cube.Config{AppID: s.AppID(), AuthKey: s.AuthKey(), APIURL: s.HTTPURL()})
	_, err = unpinned.CreateSession(ctx, "tls-ada", "lovelace1")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("sign-in without the pinned certificate: %v, want an unknown-authority error", err)
	}

	// Plain HTTP to the TLS port is not served.
	plainToTLS := "http://" + strings.TrimPrefix(s.HTTPURL(), "https://") + "/session"
	res, err := http.Get(plainToTLS)
	if err == nil {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("plain HTTP to the TLS port: %d %s", res.StatusCode, body)
		}
	}

	// The loopback plain listener, when configured, serves the same API.
	if !strings.HasPrefix(s.PlainHTTPURL(), "http://127.0.0.1:") {
		t.Fatalf("PlainHTTPURL = %q", s.PlainHTTPURL())
	}
	local := cube.NewClient(cube.Config{AppID: s.AppID(), AuthKey: s.AuthKey(), APIURL: s.PlainHTTPURL()})
	if _, err := local.CreateSession(ctx, "tls-ada", "lovelace1"); err != nil {
		t.Fatalf("sign-in over the loopback plain listener: %v", err)
	}
	lb, err := local.CreateBlob(ctx, "b.txt", "text/plain", false)
	if err != nil || lb.BlobObjectAccess == nil || !strings.HasPrefix(lb.BlobObjectAccess.Params, "http://") {
		t.Fatalf("blob link over plain HTTP should be http: %+v %v", lb, err)
	}
}
