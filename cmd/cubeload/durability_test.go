package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver"
	"github.com/cubechat/cubechat/cubeserver/store"
	"github.com/cubechat/cubechat/internal/testwait"
)

// killedServerEnv makes the test binary a cubeserver on the directory it names, which
// prints its chat address and runs until it is killed (TestAcknowledgedMessagesSurviveAKill).
const killedServerEnv = "CUBELOAD_TEST_KILLED_SERVER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(killedServerEnv); dir != "" {
		serveUntilKilled(dir)
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "live-peer" { // a side of TestLiveRunsBothPathsInProcessesOfTheirOwn
		if err := runLivePeer(os.Args[2:], os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "live-peer:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func serveUntilKilled(dir string) {
	srv, err := cubeserver.Start(context.Background(), cubeserver.Config{DataDir: dir, HTTPAddr: "127.0.0.1:0",
		XMPPTLSAddr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler), PasswordPolicy: new(store.CheapPasswordPolicy())})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("xmpp %s\n", srv.XMPPTLSAddr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	<-stop // SIGKILL, the point of the test, ends the process without this
	_ = srv.Close()
}

// A stored message the server has acknowledged (XEP-0198 <a h/>, which counts a
// message once it is handled, and for a stored one that is once its group has
// committed) is still there after the server process is killed with SIGKILL.
func TestAcknowledgedMessagesSurviveAKill(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "cubeserver.db")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	st, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPasswordPolicy(store.CheapPasswordPolicy()); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, login := range []string{"writer", "reader"} {
		u, err := st.CreateUser(ctx, cube.User{Login: login}, "pw-"+login)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	d, err := st.FindOrCreatePrivateDialog(ctx, ids[0], ids[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), killedServerEnv+"="+dir)
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		lines <- line
	}()
	line, _ := testwait.Recv(t, "the server's address", 30*time.Second, lines)
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "xmpp ")
	if !ok {
		t.Fatalf("server said %q", line)
	}

	pem, err := os.ReadFile(filepath.Join(dir, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	host, _, _ := net.SplitHostPort(addr)
	tlsConf := &tls.Config{RootCAs: pool, ServerName: host}
	conns := make([]*rawConn, 2)
	for i, login := range []string{"writer", "reader"} {
		if conns[i], err = dialRaw(ctx, addr, tlsConf, cubeserver.DefaultDomain, cubeserver.DefaultAppID, ids[i], "pw-"+login); err != nil {
			t.Fatal(err)
		}
		defer conns[i].close()
	}
	if err := conns[0].enableSM(); err != nil {
		t.Fatal(err)
	}
	writer := newSender(conns[0])
	newReceiver(conns[1])
	const n = 300
	msgIDs := make([]string, n)
	stanzas := make([][]byte, n)
	for i := range stanzas {
		msgIDs[i] = cube.NewObjectID()
		extra := &cube.ExtraParams{}
		extra.Set("save_to_history", "1")
		extra.Set("dialog_id", d.ID)
		b, err := xml.Marshal(&cube.MessageStanza{Type: cube.ChatType, ID: msgIDs[i], Body: cube.Str(fmt.Sprint("kept ", i)),
			To: cube.UserJID(ids[1], cubeserver.DefaultAppID, cubeserver.DefaultDomain), Extra: extra})
		if err != nil {
			t.Fatal(err)
		}
		stanzas[i] = b
	}
	if err := writer.send(ctx, stanzas, 16, 64); err != nil {
		t.Fatal(err)
	}
	// Every message is acknowledged: kill the server before it can do anything else.
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()

	st, err = store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, id := range msgIDs {
		if _, err := st.Message(ctx, id, ids[1]); err != nil {
			t.Fatalf("acknowledged message %d of %d lost after the kill: %v", i+1, n, err)
		}
	}
}
