package app

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	csync "github.com/cubechat/cubechat/sync"
	"github.com/cubechat/cubechat/widgets"
)

// loadTimeout bounds one cache read made for the screen.
const loadTimeout = 10 * time.Second

// mainScreen is the signed-in window: the dialogs list (with search, new chat and the
// account menu) on the left, the chat on the right. Its fields are owned by the UI
// goroutine unless a comment says otherwise.
type mainScreen struct {
	ui     *UI
	engine *csync.Engine
	db     *cache.DB
	log    *slog.Logger
	me     int64

	ctx    context.Context // ends when the screen stops
	bg     *csync.Workers  // owns every goroutine of the screen; stop waits for them
	unsubs []func()

	content fyne.CanvasObject
	split   *container.Split // the list | chat divider, remembered (window_state.go)
	list    *widget.List
	empty   *widget.Label
	model   dialogModel    // the list's data as its loaders keep it (dialog_list.go)
	dialogs []cache.Dialog // every visible dialog, newest activity first
	shown   []cache.Dialog // what the list shows: dialogs, filtered by the search text
	users   map[int64]cache.User
	chat    *chatPane
	search  *searchPanel
	notices *noticesArea
	typing  map[string][]int64 // dialog → users typing there
	drafts  map[string]string  // drafts stored by earlier sessions
	status  csync.Status
	info    *dialogInfo   // the open info panel, if any
	sheet   dialog.Dialog // the open shortcut sheet, if any (shortcuts.go)
	signIn  *signInDialog // the open "sign in again" dialog, if any

	settings     *settingsScreen                // the open Settings, if any (settings.go)
	settingsOpen atomic.Pointer[settingsScreen] // the same, for goroutines other than the UI's

	newChatBtn, accountBtn *widget.Button

	openMu sync.Mutex
	openID string // the open dialog; read by the change pump goroutine

	trim *idleTrim // hands freed memory back once a chat is open (memory_trim.go)
}

func newMainScreen(u *UI, e *csync.Engine) *mainScreen {
	m := &mainScreen{ui: u, engine: e, db: u.deps.Cache, log: u.log, me: e.Me(),
		users: map[int64]cache.User{}, typing: map[string][]int64{}, drafts: map[string]string{}, trim: newIdleTrim()}
	m.bg = csync.NewWorkers(u.ctx)
	m.ctx = m.bg.Context()

	m.list = widget.NewList(
		func() int { return len(m.shown) },
		func() fyne.CanvasObject { return widgets.NewDialogRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(m.shown) {
				o.(*widgets.DialogRow).Update(dialogRow(m.shown[id], m.me, m.users, time.Now(), time.Local))
			}
		},
	)
	m.list.OnSelected = func(id widget.ListItemID) {
		if id < len(m.shown) {
			m.openDialog(m.shown[id])
		}
	}
	m.empty = widget.NewLabelWithStyle(lang.L("No chats yet — start one with +"), fyne.TextAlignCenter, fyne.TextStyle{})
	m.empty.Importance = widget.LowImportance

	heading := widget.NewLabelWithStyle(lang.L("Chats"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameSubHeadingText
	m.newChatBtn = widget.NewButtonWithIcon("", theme.ContentAddIcon(), m.showNewChatMenu)
	m.newChatBtn.Importance = widget.LowImportance
	m.accountBtn = widget.NewButtonWithIcon("", theme.AccountIcon(), m.showAccountMenu)
	m.accountBtn.Importance = widget.LowImportance
	top := container.NewBorder(nil, nil, nil, container.NewHBox(m.newChatBtn, m.accountBtn), heading)

	m.search = newSearchPanel(m)
	m.notices = newNoticesArea(m)
	lists := container.NewStack(m.list, container.NewCenter(m.empty), m.search.results)
	left := container.NewBorder(container.NewVBox(top, m.search.bar), m.notices.content, nil, nil, lists)

	m.chat = newChatPane(m)
	// The watchers tell the UI when the window is resized or the divider dragged, to
	// remember both (window_state.go).
	left = container.New(&resizeWatch{changed: u.windowChanged}, left)
	m.split = container.NewHSplit(left, m.chat.content)
	m.split.Offset = restoredSplit(u.saved.Split, u.win.Canvas().Size().Width)
	m.content = container.New(&resizeWatch{changed: u.windowChanged}, m.split)
	return m
}

// start subscribes to the cache and the engine and makes the first load.
func (m *mainScreen) start() {
	changes, unsub := m.db.Subscribe()
	statuses, unsubStatus := m.engine.SubscribeStatus()
	events, unsubEvents := m.engine.SubscribeEvents()
	m.unsubs = append(m.unsubs, unsub, unsubStatus, unsubEvents)
	m.ui.win.SetOnDropped(func(pos fyne.Position, uris []fyne.URI) { m.chat.dropped(pos, uris) })
	m.installShortcuts()
	m.bg.Go(func() { pumpChanges(m.ctx, changes, refreshInterval, m.handleChange) })
	m.bg.Go(func() { m.trim.run(m.ctx) })
	m.bg.Go(func() { m.followStatus(statuses) })
	m.bg.Go(func() { m.followEvents(events) })
	m.bg.Go(m.loadDrafts)
	m.bg.Go(m.reloadDialogs)
	m.bg.Go(m.notices.reload)
}

// stop ends the screen's background work, keeping the open chat's unsent text as its
// draft for the next start; wait then returns once every goroutine of the screen has
// finished (stop itself does not block: those goroutines may be queueing work for the
// UI goroutine). It calls no window API: on shutdown the driver may already be gone
// (whoever replaces the screen resets the window's handlers).
func (m *mainScreen) stop() {
	if id := m.chat.dialog.ID; id != "" {
		text := m.chat.composer.Text
		if m.chat.editing.ID != "" {
			text = m.chat.editDraft // the composer holds an unfinished edit, not a draft
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := m.db.SetDraft(ctx, id, text); err != nil {
			m.log.Warn("saving draft", "dialog", id, "err", err)
		}
		cancel()
	}
	if m.signIn != nil {
		m.signIn.close()
	}
	for _, f := range m.unsubs {
		f()
	}
	m.unsubs = nil
	m.bg.Cancel()
}

// wait returns once every goroutine of the stopped screen has finished.
func (m *mainScreen) wait() { m.bg.Wait() }

func (m *mainScreen) followStatus(statuses <-chan csync.Status) {
	apply := func(s csync.Status) {
		runOnUI(func() { m.applyStatus(s) })
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

// applyStatus shows the connection state and the action it calls for.
func (m *mainScreen) applyStatus(s csync.Status) {
	m.status = s
	text, kind := bannerFor(s)
	m.chat.setBanner(text, kind)
	switch bannerActionFor(s) {
	case bannerRetry:
		// The engine tries again at once with the credentials it holds (the password
		// of this sign-in, or the resumed token): no new engine, no password prompt.
		m.chat.banner.SetAction(lang.L("Retry now"), m.engine.ReconnectNow)
	case bannerSignIn:
		m.chat.banner.SetAction(lang.L("Sign in again"), m.askPassword)
	default:
		m.chat.banner.SetAction("", nil)
	}
	m.search.setOnline(s.State == csync.StateReady)
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
	// Last activity is kept with the list's users even with no chat open: the header
	// of the next chat opened reads it there.
	if plan.Dialogs || plan.Header || len(c.Activity) > 0 {
		if ids, ok := patchableChange(c); ok {
			m.patchDialogs(ids, c.Activity)
		} else {
			m.reloadDialogs()
		}
	}
	if plan.History {
		m.chat.history.reload(len(c.Messages[open]))
	}
	if c.SystemMessages {
		m.notices.reload()
	}
	if c.Privacy || plan.Dialogs || plan.Header {
		runOnUI(m.refreshInfo)
	}
	if c.Privacy {
		runOnUI(func() { m.chat.header.loadBlocked(m.chat.dialog) })
	}
	if c.Users || c.Account || c.Privacy {
		m.refreshSettings()
	}
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
	m.applyFilter()
	open := m.openDialogID()
	found := false
	for _, d := range dialogs {
		if d.ID == open {
			m.chat.setDialog(d) // title, member count, presence may have changed
			found = true
			break
		}
	}
	if open != "" && !found {
		// Left, deleted or hidden (here or on another device): nothing to show any more.
		m.setOpen("")
		m.chat.close()
	}
}

// applyFilter shows the dialogs matching the search text and keeps the open one
// highlighted.
func (m *mainScreen) applyFilter() {
	m.shown = filterDialogs(m.dialogs, m.search.query(), m.me, m.users)
	if len(m.dialogs) == 0 && m.search.query() == "" {
		m.empty.Show()
	} else {
		m.empty.Hide()
	}
	m.list.Refresh()
	open := m.openDialogID()
	m.list.UnselectAll()
	for i, d := range m.shown {
		if d.ID == open {
			// Selecting the open dialog again does not reopen it (openDialog ignores it).
			m.list.Select(i)
			break
		}
	}
}

func (m *mainScreen) setOpen(id string) {
	m.openMu.Lock()
	m.openID = id
	m.openMu.Unlock()
	m.engine.OpenDialog(id)
}

// openDialog shows d in the chat pane, tells the engine and marks it read.
func (m *mainScreen) openDialog(d cache.Dialog) {
	if m.openDialogID() == d.ID {
		if d.UnreadCount > 0 {
			// Its badge says messages came while the window was away: read them
			// (the engine checks the window has the focus).
			m.bg.Go(func() {
				ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
				defer cancel()
				m.engine.ReadOpenDialog(ctx)
			})
		}
		return
	}
	m.setOpen(d.ID)
	m.chat.open(d)
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		defer cancel()
		if err := m.engine.MarkRead(ctx, d.ID); err != nil && m.ctx.Err() == nil {
			m.log.Warn("marking dialog read", "dialog", d.ID, "err", err)
		}
	})
}

// selectDialog opens the dialog with the given id, as a click on its row does.
func (m *mainScreen) selectDialog(id string) bool {
	for i, d := range m.shown {
		if d.ID == id {
			m.list.Select(i)
			return true
		}
	}
	for _, d := range m.dialogs {
		if d.ID == id { // filtered out of the list by a search: open it all the same
			m.openDialog(d)
			return true
		}
	}
	return false
}

// openAt opens a dialog scrolled to one of its messages (a search result).
func (m *mainScreen) openAt(dialogID, messageID string) {
	if !m.selectDialog(dialogID) {
		m.chat.showNotice(lang.L("This chat is not available on this device."))
		return
	}
	if messageID != "" {
		m.chat.history.reveal(messageID)
	}
}

// loadDrafts reads the drafts saved by earlier sessions.
func (m *mainScreen) loadDrafts() {
	ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
	defer cancel()
	drafts, err := m.db.Drafts(ctx)
	if err != nil {
		if m.ctx.Err() == nil {
			m.log.Warn("loading drafts", "err", err)
		}
		return
	}
	runOnUI(func() {
		for id, text := range drafts {
			m.drafts[id] = text
		}
	})
}

// typingIn lists who types in dialogID.
func (m *mainScreen) typingIn(dialogID string) []int64 { return m.typing[dialogID] }
