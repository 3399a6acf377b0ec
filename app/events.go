package app

import (
	"slices"

	"fyne.io/fyne/v2/lang"

	csync "github.com/cubechat/cubechat/sync"
)

// followEvents applies the engine's ephemeral events: typing, desktop notifications,
// notices and system messages. It runs on its own goroutine.
func (m *mainScreen) followEvents(events <-chan csync.Event) {
	for {
		select {
		case <-m.ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			m.applyEvent(ev)
		}
	}
}

func (m *mainScreen) applyEvent(ev csync.Event) {
	switch ev := ev.(type) {
	case csync.TypingEvent:
		runOnUI(func() { m.setTyping(ev) })
	case csync.NotifyEvent:
		m.notify(ev)
	case csync.NoticeEvent:
		if ev.Err != nil {
			m.log.Info("engine notice", "text", ev.Text, "err", ev.Err)
		}
		runOnUI(func() { m.chat.showNotice(ev.Text) })
	case csync.SystemMessageEvent:
		// The engine stores it too; the notices area shows what the cache holds.
		m.bg.Go(m.notices.reload)
	}
}

// notify shows a desktop notification as the settings say: not at all, without the
// message's text, and with or without a sound.
func (m *mainScreen) notify(ev csync.NotifyEvent) {
	s := m.ui.settings()
	if !s.Notify {
		return
	}
	body := ev.Body
	if !s.Preview {
		body = lang.L("New message")
	}
	m.ui.showNotification(ev.Title, body, ev.DialogID)
	if s.Sound {
		m.bg.Go(func() {
			if err := m.ui.playSound(m.ctx); err != nil && m.ctx.Err() == nil {
				m.log.Debug("notification sound", "err", err)
			}
		})
	}
}

// setTyping records who types where and refreshes the open chat's typing line.
func (m *mainScreen) setTyping(ev csync.TypingEvent) {
	ids := m.typing[ev.DialogID]
	i := slices.Index(ids, ev.UserID)
	switch {
	case ev.Typing && i < 0 && ev.UserID != m.me:
		ids = append(slices.Clone(ids), ev.UserID)
	case !ev.Typing && i >= 0:
		ids = slices.Delete(slices.Clone(ids), i, i+1)
	default:
		return
	}
	if len(ids) == 0 {
		delete(m.typing, ev.DialogID)
	} else {
		m.typing[ev.DialogID] = ids
	}
	if ev.DialogID == m.openDialogID() {
		m.chat.setTyping(ids)
	}
}
