package compat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// suiteTimeout bounds one `node --test` run; the JS tests have their own short limits,
// this only stops a wedged run.
const suiteTimeout = 100 * time.Second

// run is one pass of the JS suite against a fresh server.
type run struct {
	name string
	dir  string   // JS test files: compat/<dir>/*.test.mjs
	only []string // if set, just these files of dir (names without .test.mjs)
	// listen sets the listeners the run needs (HTTP and direct TLS, for the Go peer,
	// are always on).
	listen func(cfg *cubeserver.Config)
	// chatURL is the SDK's endpoints.chat_url for the started server.
	chatURL func(srv *cubeserver.Server) (string, error)
	env     []string // extra environment for node
}

var runs = []run{
	{name: "rest", dir: "rest", listen: func(*cubeserver.Config) {}},
	{
		name: "websocket", dir: "chat",
		listen:  func(cfg *cubeserver.Config) { cfg.WSAddr = "127.0.0.1:0" },
		chatURL: func(srv *cubeserver.Server) (string, error) { return localURL("ws", srv.WSURL()) },
	},
	{
		// Plain TCP, no TLS: the JS SDK's CUBE_TCP_ENABLE=1 transport.
		name: "tcp-plain", dir: "chat",
		listen:  func(cfg *cubeserver.Config) { cfg.XMPPPlainAddr = "127.0.0.1:0" },
		chatURL: func(srv *cubeserver.Server) (string, error) { return localURL("xmpp", srv.XMPPPlainAddr()) },
		env:     []string{"CUBE_TCP_ENABLE=1"},
	},
	{
		// STARTTLS over TCP (what the Dart SDK does; JS with CUBE_TLS_ENABLE as well):
		// only the transport-sensitive files, to keep the suite short.
		name: "tcp-starttls", dir: "chat", only: []string{"connection", "messages"},
		listen:  func(cfg *cubeserver.Config) { cfg.XMPPAddr = "127.0.0.1:0" },
		chatURL: func(srv *cubeserver.Server) (string, error) { return localURL("xmpp", srv.XMPPAddr()) },
		env:     []string{"CUBE_TCP_ENABLE=1", "CUBE_TLS_ENABLE=1"},
	},
}

// TestJSSDK runs the official ConnectyCube JS SDK against cubeserver: the REST files
// once, the chat files once per transport. A failing JS test fails this test with the
// runner's output; tests marked todo (features the server does not have yet) are listed
// in the log and do not fail it.
func TestJSSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("the JS SDK suite starts Node; skipped in -short mode")
	}
	node := requireNode(t)
	ensureNodeModules(t, node)
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) { runSuite(t, node, r) })
	}
}

// onlyFiles keeps the files COMPAT_ONLY names, for running one part of the suite; a
// name is a key as fileKey spells it ("rest/users") or a bare file name
// ("stream_management"). Unset keeps them all.
func onlyFiles(files []string) []string {
	only := os.Getenv("COMPAT_ONLY")
	if only == "" {
		return files
	}
	keep := strings.Split(only, ",")
	var out []string
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".test.mjs")
		for _, k := range keep {
			if k = strings.TrimSpace(k); k == fileKey(f) || k == base {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// compatAdminKey opens the admin API, the only way to make a broadcast dialog.
const compatAdminKey = "compat-admin-key"

func runSuite(t *testing.T, node nodeTools, r run) {
	files, err := filepath.Glob(filepath.Join(r.dir, "*.test.mjs"))
	if len(r.only) > 0 {
		files = files[:0]
		for _, name := range r.only {
			files = append(files, filepath.Join(r.dir, name+".test.mjs"))
		}
	}
	if err != nil || len(files) == 0 {
		t.Fatalf("no JS test files in compat/%s (err %v)", r.dir, err)
	}
	if files = onlyFiles(files); len(files) == 0 {
		t.Skipf("COMPAT_ONLY=%s names no file of compat/%s", os.Getenv("COMPAT_ONLY"), r.dir)
	}
	cfg := cubeserver.Config{DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0",
		AdminKey: compatAdminKey, PasswordPolicy: new(store.CheapPasswordPolicy())} // seeds many users
	r.listen(&cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv, err := cubeserver.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start cubeserver: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close cubeserver: %v", err)
		}
	})

	env := append([]string{
		"CUBE_API_URL=" + srv.HTTPURL(),
		"CUBE_CHAT_DOMAIN=" + srv.Domain(),
		fmt.Sprintf("CUBE_APP_ID=%d", srv.AppID()),
		"CUBE_AUTH_KEY=" + srv.AuthKey(),
		"CUBE_TRANSPORT=" + r.name,
		"CUBE_ADMIN_KEY=" + compatAdminKey,
	}, r.env...)
	// REST (https) and TLS chat use the server's self-signed certificate; Node trusts it
	// as an extra CA, the way a user would add it.
	caFile := filepath.Join(t.TempDir(), "cubeserver-ca.pem")
	if err := os.WriteFile(caFile, srv.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	env = append(env, "NODE_EXTRA_CA_CERTS="+caFile)
	users, err := seedUsers(ctx, srv.Store(), files)
	if err != nil {
		t.Fatalf("seed users: %v", err)
	}
	env = append(env, "CUBE_USERS="+users)
	if r.chatURL != nil {
		url, err := r.chatURL(srv)
		if err != nil {
			t.Fatalf("chat URL for %s: %v", r.name, err)
		}
		peer, err := startGoPeer(ctx, t, srv)
		if err != nil {
			t.Fatalf("start the Go SDK peer: %v", err)
		}
		env = append(env, "CUBE_CHAT_URL="+url, "CUBE_GO_PEER="+peer.envJSON())
	}
	res := node.runTests(t, env, files)
	if res.err != nil {
		t.Fatalf("JS SDK suite over %s failed (%v):\n%s", r.name, res.err, res.output)
	}
	if testing.Verbose() {
		t.Logf("node --test output over %s:\n%s", r.name, res.output)
	}
	t.Logf("JS SDK suite over %s: %s", r.name, res.summary())
}

// localURL is scheme://localhost:PORT for a listener address ("host:port" or a URL): the
// SDK takes the stream's to from the URL's host, which must equal the chat domain
// ("localhost") that the JIDs use (docs/protocol.md §10).
func localURL(scheme, addr string) (string, error) {
	if addr == "" {
		return "", errors.New("the listener for " + scheme + " is off")
	}
	if _, rest, ok := strings.Cut(addr, "://"); ok {
		addr = rest
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("listener address %q: %w", addr, err)
	}
	return scheme + "://localhost:" + port, nil
}
