package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
)

func TestRunRefusesBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"-nope"}},
		{"stray argument", []string{"serve"}},
		{"bad app id", []string{"-app-id", "one"}},
		{"bad resume window", []string{"-resume-window", "soon"}},
		{"plain HTTP on a public address", []string{"-data", t.TempDir(), "-http", "127.0.0.1:0", "-xmpp", "", "-xmpps", "", "-ws", "",
			"-http-plain", "0.0.0.0:0"}},
	}
	for _, tc := range tests {
		if err := run(tc.args); err == nil {
			t.Errorf("%s: run(%q) succeeded", tc.name, tc.args)
		}
	}
	if err := run([]string{"-h"}); err != nil {
		t.Errorf("-h: %v", err)
	}
}

func TestBroadcastCommand(t *testing.T) {
	srv, err := cubeserver.Start(context.Background(), cubeserver.Config{DataDir: t.TempDir(), AdminKey: "k",
		PasswordPolicy: new(store.CheapPasswordPolicy())})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	u, err := srv.Store().CreateUser(context.Background(), cube.User{Login: "news"}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	owner := strconv.FormatInt(u.ID, 10)
	certFile := filepath.Join(srv.Config().DataDir, "tls", "cert.pem")
	var out bytes.Buffer
	if err := broadcast([]string{"-url", srv.HTTPURL(), "-cert", certFile, "-admin-key", "k", "-owner", owner, "-name", "News"}, &out); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(out.String())
	d, err := srv.Store().Dialog(context.Background(), id)
	if err != nil || d.Type != cube.DialogBroadcast || d.Name != "News" || d.UserID != u.ID {
		t.Fatalf("created %q: %+v, %v", id, d, err)
	}
	bad := []struct {
		name string
		args []string
	}{
		{"certificate not pinned", []string{"-url", srv.HTTPURL(), "-admin-key", "k", "-owner", owner, "-name", "x"}},
		{"wrong key", []string{"-url", srv.HTTPURL(), "-cert", certFile, "-admin-key", "nope", "-owner", owner, "-name", "x"}},
		{"unknown owner", []string{"-url", srv.HTTPURL(), "-cert", certFile, "-admin-key", "k", "-owner", "999", "-name", "x"}},
		{"no key", []string{"-url", srv.HTTPURL(), "-owner", owner, "-name", "x"}},
		{"no name", []string{"-url", srv.HTTPURL(), "-admin-key", "k", "-owner", owner}},
		{"stray argument", []string{"-admin-key", "k", "-owner", owner, "-name", "x", "extra"}},
	}
	for _, tc := range bad {
		if err := broadcast(tc.args, io.Discard); err == nil {
			t.Errorf("%s: broadcast succeeded", tc.name)
		}
	}
	if err := run([]string{"broadcast", "-h"}); err != nil {
		t.Errorf("broadcast -h: %v", err)
	}
}

func TestVersionFlagPrintsTheVersion(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	err = run([]string{"-version"})
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out); !strings.HasPrefix(got, "cubeserver ") || strings.TrimSpace(got) == "cubeserver" {
		t.Fatalf("-version printed %q", got)
	}
}
