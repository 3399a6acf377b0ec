package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// account is one load user with its own REST session.
type account struct {
	user     cube.User
	password string
	rest     *cube.Client
}

// target is the server under load: started here (srv != nil) or reached by address.
type target struct {
	cfg       cube.Config
	srv       *cubeserver.Server // nil for an existing server
	dataDir   string             // removed on close when we made it
	serverPID int                // whose memory is reported; 0 = unknown
}

// openTarget starts an in-process server on loopback ephemeral ports, or describes
// the existing one named by the options.
func openTarget(ctx context.Context, o Options, log *slog.Logger) (*target, error) {
	if o.APIURL != "" {
		cfg := cube.Config{AppID: o.AppID, AuthKey: o.AuthKey, AuthSecret: o.AuthSecret, APIURL: o.APIURL,
			ChatHost: o.XMPPAddr, ChatDomain: o.Domain, ChatTLS: o.Transport, Logger: log}
		if o.CertFile != "" {
			pem, err := os.ReadFile(o.CertFile)
			if err != nil {
				return nil, fmt.Errorf("read -cert: %w", err)
			}
			if cfg.RootCAs = x509.NewCertPool(); !cfg.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("-cert %s holds no PEM certificate", o.CertFile)
			}
		}
		return &target{cfg: cfg, serverPID: o.ServerPID}, nil
	}
	dir, err := os.MkdirTemp("", "cubeload-")
	if err != nil {
		return nil, err
	}
	serverLog := slog.New(slog.DiscardHandler)
	if o.Verbose {
		serverLog = log.With("side", "server")
	}
	srv, err := cubeserver.Start(ctx, cubeserver.Config{DataDir: dir, HTTPAddr: "127.0.0.1:0",
		XMPPAddr: "127.0.0.1:0", XMPPTLSAddr: "127.0.0.1:0", Logger: serverLog,
		// A throwaway server whose users exist for one run: the load is chat, not
		// password hashing (about 0.6 s a sign-up at the default policy).
		PasswordPolicy: new(store.CheapPasswordPolicy())})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.CertPEM())
	host := srv.XMPPTLSAddr()
	if o.Transport == cube.ChatStartTLS {
		host = srv.XMPPAddr()
	}
	cfg := cube.Config{AppID: srv.AppID(), AuthKey: srv.AuthKey(), AuthSecret: srv.AuthSecret(),
		APIURL: srv.HTTPURL(), ChatHost: host, ChatDomain: srv.Domain(), ChatTLS: o.Transport,
		RootCAs: pool, Logger: log}
	return &target{cfg: cfg, srv: srv, dataDir: dir, serverPID: os.Getpid()}, nil
}

func (t *target) inProcess() bool { return t.srv != nil }

// close stops an in-process server and deletes its data.
func (t *target) close() error {
	if t.srv == nil {
		return nil
	}
	err := t.srv.Close()
	return errors.Join(err, os.RemoveAll(t.dataDir))
}

// createUsers makes n users named prefix-0…: through the store when the server runs
// here (setup is not what is measured), through POST /users otherwise. Each gets a
// REST session of its own.
func (t *target) createUsers(ctx context.Context, prefix string, n, parallel int) ([]*account, error) {
	accounts := make([]*account, n)
	var signer *cube.Client
	if !t.inProcess() {
		signer = cube.NewClient(t.cfg)
		if _, err := signer.CreateAppSession(ctx); err != nil {
			return nil, fmt.Errorf("application session: %w", err)
		}
	}
	err := forEach(ctx, n, parallel, func(ctx context.Context, i int) error {
		login := fmt.Sprintf("%s-%d", prefix, i)
		a := &account{password: "load-" + login, rest: cube.NewClient(t.cfg)}
		u := cube.User{Login: login, FullName: fmt.Sprintf("Load user %d", i)}
		if t.inProcess() {
			created, err := t.srv.Store().CreateUser(ctx, u, a.password)
			if err != nil {
				return fmt.Errorf("create user %s: %w", login, err)
			}
			a.user = created
		} else {
			u.Password = a.password
			created, err := signer.SignUp(ctx, u)
			if err != nil {
				return fmt.Errorf("sign up %s: %w", login, err)
			}
			a.user = *created
		}
		if _, err := a.rest.CreateSession(ctx, login, a.password); err != nil {
			return fmt.Errorf("session of %s: %w", login, err)
		}
		accounts[i] = a
		return nil
	})
	return accounts, err
}

// seedDialog fills a dialog with n messages from sender: straight into the store when
// the server runs here, through POST /chat/Message otherwise.
func (t *target) seedDialog(ctx context.Context, sender *account, dialogID string, n, parallel int) error {
	base := time.Now().Add(-time.Hour).Unix()
	return forEach(ctx, n, parallel, func(ctx context.Context, i int) error {
		body := fmt.Sprintf("history message %d", i)
		if t.inProcess() {
			// Ten per second: like a lively chat, and several share each date_sent.
			_, err := t.srv.Store().StoreChatMessage(ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: dialogID,
				Message: body, DateSent: base + int64(i/10), SenderID: sender.user.ID})
			return err
		}
		_, err := sender.rest.CreateMessage(ctx, cube.NewMessage{DialogID: dialogID, Message: body})
		return err
	})
}
