package freedesktop

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"github.com/cubechat/cubechat/internal/testwait"
)

// startBus runs a private session bus (dbus-daemon) for the test and points
// DBUS_SESSION_BUS_ADDRESS at it. Without dbus-daemon the test is skipped: only the
// click mapping (TestClickMap) is then checked.
func startBus(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon is not installed: no session bus to test against")
	}
	dir := t.TempDir()
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address", "--address=unix:path="+filepath.Join(dir, "bus"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	addr, ok := testwait.Recv(t, "the bus address", 10*time.Second, lines)
	if !ok || addr == "" {
		t.Fatal("dbus-daemon printed no address")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(addr))
	return addr
}

// fakeServer is a notification server on the test's bus.
type fakeServer struct {
	conn *dbus.Conn
	caps []string

	mu    sync.Mutex
	shown []shownNote
}

type shownNote struct {
	id                 uint32
	app, summary, body string
	actions            []string
	desktopEntry       string
}

func (s *fakeServer) GetCapabilities() ([]string, *dbus.Error) { return s.caps, nil }

func (s *fakeServer) Notify(app string, _ uint32, _ string, summary, body string, actions []string,
	hints map[string]dbus.Variant, _ int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := uint32(len(s.shown) + 40)
	entry, _ := hints["desktop-entry"].Value().(string)
	s.shown = append(s.shown, shownNote{id: id, app: app, summary: summary, body: body, actions: actions, desktopEntry: entry})
	return id, nil
}

func (s *fakeServer) emit(t *testing.T, member string, args ...any) {
	t.Helper()
	if err := s.conn.Emit(notifyPath, notifyIface+"."+member, args...); err != nil {
		t.Fatal(err)
	}
}

func startServer(t *testing.T, caps ...string) *fakeServer {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &fakeServer{conn: conn, caps: caps}
	if err := conn.Export(s, notifyPath, notifyIface); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(notifyName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", notifyName, reply, err)
	}
	return s
}

var testOptions = Options{AppName: "cubechat", DesktopEntry: "io.cubechat.CubeChat", OpenLabel: "Open"}

func TestClickOnANotificationReportsItsKey(t *testing.T) {
	startBus(t)
	server := startServer(t, "body", "actions")
	n, err := NewNotifier(testOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	clicks := make(chan string, 4)
	n.OnClick(func(key string) { clicks <- key })

	if err := n.Notify("Bob", "are you there?", "dialog-1"); err != nil {
		t.Fatal(err)
	}
	if err := n.Notify("Hiking club", "Carol: tomorrow", "dialog-2"); err != nil {
		t.Fatal(err)
	}
	server.mu.Lock()
	shown := append([]shownNote(nil), server.shown...)
	server.mu.Unlock()
	if len(shown) != 2 || shown[0].summary != "Bob" || shown[0].body != "are you there?" ||
		shown[0].app != "cubechat" || shown[0].desktopEntry != "io.cubechat.CubeChat" ||
		len(shown[0].actions) != 2 || shown[0].actions[0] != "default" {
		t.Fatalf("server got %+v", shown)
	}
	// Another app's notification, a button that is not the click, and a closed
	// notification report nothing; the click on the second reports its chat.
	server.emit(t, "ActionInvoked", uint32(999), "default")
	server.emit(t, "ActionInvoked", shown[0].id, "reply")
	server.emit(t, "NotificationClosed", shown[0].id, uint32(2))
	server.emit(t, "ActionInvoked", shown[0].id, "default")
	server.emit(t, "ActionInvoked", shown[1].id, "default")
	if key, _ := testwait.Recv(t, "the click", 5*time.Second, clicks); key != "dialog-2" {
		t.Fatalf("click reported %q, want dialog-2 (the only live notification clicked)", key)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case key := <-clicks:
		t.Errorf("an extra click was reported: %q", key)
	default:
	}
}

func TestNoNotifierWithoutAServerThatReportsClicks(t *testing.T) {
	startBus(t)
	if _, err := NewNotifier(testOptions); err == nil {
		t.Error("no notification server on the bus: NewNotifier should fail (the app falls back to Fyne's)")
	}
	startServer(t, "body") // no "actions"
	if _, err := NewNotifier(testOptions); err == nil || !strings.Contains(err.Error(), "actions") {
		t.Errorf("a server without actions: %v", err)
	}
}

func TestTrayHostAsksTheWatcher(t *testing.T) {
	startBus(t)
	host, err := TrayHost()
	if err != nil {
		t.Fatal(err)
	}
	if host() {
		t.Error("no StatusNotifierWatcher on the bus: no tray host")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := prop.Export(conn, "/StatusNotifierWatcher", prop.Map{"org.kde.StatusNotifierWatcher": {
		"IsStatusNotifierHostRegistered": {Value: true},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	if !host() {
		t.Error("the watcher says a host is registered")
	}
}

func TestClickMap(t *testing.T) {
	var c clickMap
	c.add(1, "a")
	c.add(2, "b")
	if _, ok := c.signal(notifyIface+".ActionInvoked", []any{uint32(1), "other"}); ok {
		t.Error("a non-default action is not a click")
	}
	if _, ok := c.signal(notifyIface+".ActionInvoked", []any{"bad", "default"}); ok {
		t.Error("a malformed signal is not a click")
	}
	if key, ok := c.signal(notifyIface+".ActionInvoked", []any{uint32(1), "default"}); !ok || key != "a" {
		t.Errorf("click on 1: %q %v", key, ok)
	}
	if _, ok := c.signal(notifyIface+".ActionInvoked", []any{uint32(1), "default"}); ok {
		t.Error("a clicked notification is forgotten")
	}
	c.signal(notifyIface+".NotificationClosed", []any{uint32(2), uint32(1)})
	if _, ok := c.signal(notifyIface+".ActionInvoked", []any{uint32(2), "default"}); ok {
		t.Error("a closed notification is forgotten")
	}
	for i := range uint32(maxTracked + 10) {
		c.add(100+i, "k")
	}
	if len(c.keys) != maxTracked || len(c.order) != maxTracked {
		t.Errorf("tracked %d/%d, want at most %d", len(c.keys), len(c.order), maxTracked)
	}
	if _, ok := c.signal(notifyIface+".ActionInvoked", []any{uint32(100), "default"}); ok {
		t.Error("the oldest notifications are forgotten past the bound")
	}
}
