package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	csync "github.com/cubechat/cubechat/sync"
	"github.com/cubechat/cubechat/widgets"
)

// loadTimeout bounds one cache read made for the screen.
const loadTimeout = 10 * time.Second

// mainScreen is the signed-in window: the dialogs list on the left, the chat on the right.
// Its fields are owned by the UI goroutine unless a comment says otherwise.
type mainScreen struct {
	ui     *UI
	engine *csync.Engine
	db     *cache.DB
	log    *slog.Logger
	me     int64

	ctx    context.Context
	cancel context.CancelFunc
	unsubs []func()

	content fyne.CanvasObject
	list    *widget.List
	empty   *widget.Label
	dialogs []cache.Dialog
	users   map[int64]cache.User
	chat    *chatPane

	openMu sync.Mutex
	openID string // the open dialog; read by the change pump goroutine
}

func newMainScreen(u *UI, e *csync.Engine) *mainScreen {
	m := &mainScreen{ui: u, engine: e, db: u.deps.Cache, log: u.log, me: e.Me(), users: map[int64]cache.User{}}
	m.ctx, m.cancel = context.WithCancel(u.ctx)

	m.list = widget.NewList(
		func() int { return len(m.dialogs) },
		func() fyne.CanvasObject { return widgets.NewDialogRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(m.dialogs) {
				o.(*widgets.DialogRow).Update(dialogRow(m.dialogs[id], m.me, m.users, time.Now(), time.Local))
			}
		},
	)
	m.list.OnSelected = func(id widget.ListItemID) {
		if id < len(m.dialogs) {
			m.openDialog(m.dialogs[id])
		}
	}
	m.empty = widget.NewLabelWithStyle("No chats yet", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	m.empty.Importance = widget.LowImportance

	heading := widget.NewLabelWithStyle("Chats", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameSubHeadingText
	left := container.NewBorder(heading, nil, nil, nil, container.NewStack(m.list, container.NewCenter(m.empty)))

	m.chat = newChatPane(m)
	split := container.NewHSplit(left, m.chat.content)
	split.Offset = 0.32
	m.content = split
	return m
}

// start subscribes to the cache and the engine and makes the first load.
func (m *mainScreen) start() {
	changes, unsub := m.db.Subscribe()
	statuses, unsubStatus := m.engine.SubscribeStatus()
	m.unsubs = append(m.unsubs, unsub, unsubStatus)
	go pumpChanges(m.ctx, changes, refreshInterval, m.handleChange)
	go m.followStatus(statuses)
	go m.reloadDialogs()
}

// stop ends the screen's background work.
func (m *mainScreen) stop() {
	m.cancel()
	for _, f := range m.unsubs {
		f()
	}
	m.unsubs = nil
}

func (m *mainScreen) followStatus(statuses <-chan csync.Status) {
	apply := func(s csync.Status) {
		text, kind := bannerFor(s)
		runOnUI(func() { m.chat.setBanner(text, kind) })
	}
	apply(m.engine.Status())
	for {
		select {
		case <-m.ctx.Done():
			return
		case s, ok := <-statuses:
			if !ok {
				return
			}
			apply(s)
		}
	}
}

func (m *mainScreen) openDialogID() string {
	m.openMu.Lock()
	defer m.openMu.Unlock()
	return m.openID
}

// handleChange runs on the change pump goroutine: it reloads what the change made stale
// and hands the results to the UI goroutine.
func (m *mainScreen) handleChange(c cache.Change) {
	open := m.openDialogID()
	plan := planReload(c, open)
	if c.Account {
		// Our own profile may just have arrived (after an offline start).
		if me := m.engine.Me(); me != 0 {
			runOnUI(func() { m.me = me })
		}
	}
	if plan.Dialogs || plan.Header {
		m.reloadDialogs()
	}
	if plan.History {
		m.chat.history.reload(len(c.Messages[open]))
	}
}

// reloadDialogs reads the dialogs and the users they mention, off the UI goroutine.
func (m *mainScreen) reloadDialogs() {
	ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
	defer cancel()
	dialogs, err := m.db.Dialogs(ctx)
	if err != nil {
		if m.ctx.Err() == nil {
			m.log.Error("loading dialogs", "err", err)
		}
		return
	}
	users, err := m.db.Users(ctx, mentionedUsers(dialogs, m.me))
	if err != nil {
		m.log.Warn("loading users", "err", err)
		users = map[int64]cache.User{}
	}
	runOnUI(func() { m.applyDialogs(dialogs, users) })
}

// mentionedUsers lists the users whose names the dialogs list and chats may show.
func mentionedUsers(dialogs []cache.Dialog, me int64) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	add := func(id int64) {
		if id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	add(me)
	for _, d := range dialogs {
		for _, id := range d.OccupantIDs {
			add(id)
		}
		add(d.LastMessageUserID)
	}
	return ids
}

func (m *mainScreen) applyDialogs(dialogs []cache.Dialog, users map[int64]cache.User) {
	m.dialogs, m.users = dialogs, users
	if len(dialogs) == 0 {
		m.empty.Show()
	} else {
		m.empty.Hide()
	}
	m.list.Refresh()
	open := m.openDialogID()
	for i, d := range dialogs {
		if d.ID == open {
			m.chat.setDialog(d) // title, member count may have changed
			// Keep the highlight on the open dialog when its row moves; selecting it
			// again does not reopen it (openDialog ignores the open id).
			m.list.Select(i)
			break
		}
	}
}

// openDialog shows d in the chat pane, tells the engine and marks it read.
func (m *mainScreen) openDialog(d cache.Dialog) {
	if m.openDialogID() == d.ID {
		return
	}
	m.openMu.Lock()
	m.openID = d.ID
	m.openMu.Unlock()
	m.engine.OpenDialog(d.ID)
	m.chat.open(d)
	go func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		defer cancel()
		if err := m.engine.MarkRead(ctx, d.ID); err != nil && m.ctx.Err() == nil {
			m.log.Warn("marking dialog read", "dialog", d.ID, "err", err)
		}
	}()
}

// selectDialog opens the dialog with the given id, as a click on its row does.
func (m *mainScreen) selectDialog(id string) bool {
	for i, d := range m.dialogs {
		if d.ID == id {
			m.list.Select(i)
			return true
		}
	}
	return false
}
