// Package freedesktop talks to the freedesktop.org desktop services cubechat uses on
// Linux, over the D-Bus session bus: notifications whose click opens their chat
// (org.freedesktop.Notifications, with a "default" action) and whether a tray host is
// there to show a tray icon (org.kde.StatusNotifierWatcher).
package freedesktop

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	notifyName  = "org.freedesktop.Notifications"
	notifyPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notifyIface = "org.freedesktop.Notifications"
	// defaultAction is the action a notification server runs when the notification
	// itself is clicked.
	defaultAction = "default"
	// callTimeout bounds one call to the notification server.
	callTimeout = 3 * time.Second
)

// Notifier shows notifications through the desktop's notification server and reports
// clicks on them. Its own connection to the session bus (not the process's shared one,
// which Fyne's tray closes on quit) carries the server's signals.
type Notifier struct {
	conn *dbus.Conn
	opts Options

	clicks  clickMap
	signals chan *dbus.Signal
	done    sync.WaitGroup

	mu      sync.Mutex
	onClick func(key string)
}

// Options describe the app to the notification server.
type Options struct {
	AppName      string // names the app in notifications
	DesktopEntry string // the desktop file's name without ".desktop" (the app id), so the desktop groups them
	Icon         string // an icon name or file path; "" = the desktop entry's
	OpenLabel    string // the click's label, shown where a server lists actions as buttons
}

// NewNotifier connects to the session bus and checks that a notification server that
// reports clicks (actions) answers there.
func NewNotifier(opts Options) (*Notifier, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("connect to the D-Bus session: %w", err)
	}
	n, err := newNotifier(conn, opts)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return n, nil
}

func newNotifier(conn *dbus.Conn, opts Options) (*Notifier, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var caps []string
	if err := conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".GetCapabilities", 0).Store(&caps); err != nil {
		return nil, fmt.Errorf("no notification server: %w", err)
	}
	if !slices.Contains(caps, "actions") {
		// Clicks would never be reported: Fyne's notifications do as well.
		return nil, errors.New("the notification server does not support actions")
	}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(notifyPath), dbus.WithMatchInterface(notifyIface)); err != nil {
		return nil, fmt.Errorf("listen for notification clicks: %w", err)
	}
	n := &Notifier{conn: conn, opts: opts, signals: make(chan *dbus.Signal, 16)}
	conn.Signal(n.signals)
	n.done.Add(1)
	go n.follow()
	return n, nil
}

// OnClick sets what a click on a notification runs, with the key it was shown with (on
// the notifier's goroutine).
func (n *Notifier) OnClick(f func(key string)) {
	n.mu.Lock()
	n.onClick = f
	n.mu.Unlock()
}

// Notify shows a notification; a click on it calls OnClick's function with key.
func (n *Notifier) Notify(title, body, key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	hints := map[string]dbus.Variant{
		"desktop-entry": dbus.MakeVariant(n.opts.DesktopEntry),
		"category":      dbus.MakeVariant("im.received"),
	}
	// The "default" action is the click on the notification.
	actions := []string{defaultAction, n.opts.OpenLabel}
	var id uint32
	err := n.conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".Notify", 0,
		n.opts.AppName, uint32(0), n.opts.Icon, title, body, actions, hints, int32(-1)).Store(&id)
	if err != nil {
		return fmt.Errorf("show a notification: %w", err)
	}
	n.clicks.add(id, key)
	return nil
}

// follow turns the server's signals into clicks until the connection closes.
func (n *Notifier) follow() {
	defer n.done.Done()
	for sig := range n.signals {
		if key, ok := n.clicks.signal(sig.Name, sig.Body); ok {
			n.mu.Lock()
			f := n.onClick
			n.mu.Unlock()
			if f != nil {
				f(key)
			}
		}
	}
}

// Close closes the connection and returns once the signal goroutine has ended.
func (n *Notifier) Close() error {
	err := n.conn.Close() // closes n.signals
	n.done.Wait()
	return err
}

// maxTracked bounds the notifications remembered for their clicks; a server closes
// old ones long before (and says so, which forgets them sooner).
const maxTracked = 200

// clickMap maps the ids of shown notifications to their keys.
type clickMap struct {
	mu    sync.Mutex
	keys  map[uint32]string
	order []uint32 // oldest first
}

func (c *clickMap) add(id uint32, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil {
		c.keys = map[uint32]string{}
	}
	if _, seen := c.keys[id]; !seen {
		c.order = append(c.order, id)
	}
	c.keys[id] = key
	for len(c.order) > maxTracked {
		delete(c.keys, c.order[0])
		c.order = c.order[1:]
	}
}

func (c *clickMap) forget(id uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.keys[id]; ok {
		delete(c.keys, id)
		c.order = slices.DeleteFunc(c.order, func(x uint32) bool { return x == id })
	}
}

// signal applies one signal of the notification server: a click on the notification
// (ActionInvoked with "default") returns its key; NotificationClosed forgets it.
// Other notifications' ids (another app's, on the same bus) are not ours: ignored.
func (c *clickMap) signal(name string, body []any) (key string, clicked bool) {
	if len(body) < 2 {
		return "", false
	}
	id, ok := body[0].(uint32)
	if !ok {
		return "", false
	}
	switch name {
	case notifyIface + ".ActionInvoked":
		action, _ := body[1].(string)
		if action != defaultAction {
			return "", false
		}
		c.mu.Lock()
		key, clicked = c.keys[id]
		c.mu.Unlock()
		if clicked {
			c.forget(id) // the server closes a clicked notification
		}
		return key, clicked
	case notifyIface + ".NotificationClosed":
		c.forget(id)
	}
	return "", false
}
