package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	gosync "sync"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
	"github.com/cubechat/cubechat/internal/faultproxy"
	"github.com/cubechat/cubechat/sync"
)

// cluster is the soak's world: an in-process cubeserver on fixed ports, a fault
// proxy in front of its REST port and one in front of its direct-TLS chat port, and
// the engines, which only ever reach the server through the proxies.
type cluster struct {
	log *slog.Logger
	dir string

	mu  gosync.Mutex
	srv *cubeserver.Server // nil while a restart has it stopped
	cfg cubeserver.Config  // with the concrete ports of the first start

	rest, chat *faultproxy.Proxy
	direct     cube.Config // REST straight to the server, for setup and the comparison
	profile    sync.Profile
	clients    []*soakClient
}

// soakClient is one user: an engine over its own cache file, as the app wires it.
type soakClient struct {
	index    int
	user     cube.User
	password string
	db       *cache.DB
	engine   *sync.Engine
}

// startCluster starts the server on loopback ports chosen now and kept for the run,
// and the two proxies.
func startCluster(ctx context.Context, dir string, log *slog.Logger, serverLog *slog.Logger) (*cluster, error) {
	c := &cluster{log: log, dir: dir}
	srv, err := cubeserver.Start(ctx, cubeserver.Config{DataDir: filepath.Join(dir, "server"),
		HTTPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0", Logger: serverLog,
		// A throwaway loopback server: the secure password cost would only slow set-up.
		PasswordPolicy: new(store.CheapPasswordPolicy())})
	if err != nil {
		return nil, err
	}
	c.srv = srv
	c.cfg = srv.Config()
	u, err := url.Parse(srv.HTTPURL())
	if err != nil {
		srv.Close()
		return nil, err
	}
	c.cfg.HTTPAddr = u.Host
	c.cfg.XMPPTLSAddr = srv.XMPPTLSAddr()
	if c.rest, err = faultproxy.Listen("127.0.0.1:0", c.cfg.HTTPAddr); err != nil {
		return nil, errors.Join(err, c.close())
	}
	if c.chat, err = faultproxy.Listen("127.0.0.1:0", c.cfg.XMPPTLSAddr); err != nil {
		return nil, errors.Join(err, c.close())
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(srv.CertPEM())
	c.direct = cube.Config{AppID: srv.AppID(), AuthKey: srv.AuthKey(), AuthSecret: srv.AuthSecret(),
		APIURL: srv.HTTPURL(), ChatDomain: srv.Domain(), RootCAs: roots, Logger: slog.New(slog.DiscardHandler)}
	c.profile = sync.Profile{Name: "soak", APIURL: "https://" + c.rest.Addr(), ChatHost: c.chat.Addr(),
		ChatDomain: srv.Domain(), ChatTLS: cube.ChatDirectTLS, AppID: srv.AppID(), AuthKey: srv.AuthKey(),
		AuthSecret: srv.AuthSecret(), CertPEM: srv.CertPEM()}
	return c, nil
}

// stopServer is the first half of a restart: an orderly Close, as an operator's
// restart would do.
func (c *cluster) stopServer() error {
	c.mu.Lock()
	srv := c.srv
	c.srv = nil
	c.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// startServer is the second half: the same data directory and the same ports.
func (c *cluster) startServer(ctx context.Context) error {
	srv, err := cubeserver.Start(ctx, c.cfg)
	if err != nil {
		return fmt.Errorf("restarting the server: %w", err)
	}
	c.mu.Lock()
	c.srv = srv
	c.mu.Unlock()
	return nil
}

// server is the running server, or nil during a restart.
func (c *cluster) server() *cubeserver.Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.srv
}

// directClient is a REST client of the server (not through the proxy) signed in as u.
func (c *cluster) directClient(ctx context.Context, login, password string) (*cube.Client, error) {
	cl := cube.NewClient(c.direct)
	if _, err := cl.CreateSession(ctx, login, password); err != nil {
		return nil, fmt.Errorf("session of %s: %w", login, err)
	}
	return cl, nil
}

// createUser makes user i in the server's store (setup is not what is tested).
func (c *cluster) createUser(ctx context.Context, i int) (*soakClient, error) {
	login := fmt.Sprintf("soak-%d", i)
	sc := &soakClient{index: i, password: "soak-pw-" + login}
	u, err := c.server().Store().CreateUser(ctx, cube.User{Login: login, FullName: fmt.Sprintf("Soak user %d", i)}, sc.password)
	if err != nil {
		return nil, fmt.Errorf("create user %s: %w", login, err)
	}
	sc.user = u
	return sc, nil
}

// startEngine opens the user's own cache file and builds, signs in and starts an
// engine over it, as main.go wires the app's, reaching the server through the proxies.
func (c *cluster) startEngine(ctx, runCtx context.Context, sc *soakClient, engineLog *slog.Logger) error {
	db, err := cache.Open(filepath.Join(c.dir, "caches", sc.user.Login+".db"))
	if err != nil {
		return err
	}
	sc.db = db
	c.clients = append(c.clients, sc)
	sc.engine = sync.New(sc.db, c.profile, engineLog.With("user", sc.user.Login))
	if err := sc.engine.Login(ctx, sc.user.Login, sc.password); err != nil {
		return fmt.Errorf("engine login %s: %w", sc.user.Login, err)
	}
	sc.engine.Start(runCtx)
	return nil
}

// close stops the engines, closes their caches, the proxies and the server.
func (c *cluster) close() error {
	var errs []error
	for _, sc := range c.clients {
		if sc.engine != nil {
			sc.engine.Stop()
		}
		if sc.db != nil {
			errs = append(errs, sc.db.Close())
		}
	}
	for _, p := range []*faultproxy.Proxy{c.rest, c.chat} {
		if p != nil {
			errs = append(errs, p.Close())
		}
	}
	errs = append(errs, c.stopServer())
	return errors.Join(errs...)
}

// mkdirs makes the data directory layout.
func mkdirs(dir string) error {
	return os.MkdirAll(filepath.Join(dir, "caches"), 0o700)
}
