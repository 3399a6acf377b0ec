package app

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// userPicker finds users on the server by login or full name (engine.FindUsers) and
// reports the one the user taps. Used by "new chat" and by "add member".
type userPicker struct {
	m       *mainScreen
	content fyne.CanvasObject
	entry   *widget.Entry
	list    *widget.List
	status  *widget.Label
	online  *widget.Label // "N online" (the server's count), once known
	found   []cache.User
	exclude map[int64]bool
	gen     atomic.Int64 // the newest search; the background reads it to drop stale ones

	// OnPick is called with the tapped user.
	OnPick func(cache.User)

	pickFirst bool // Enter came before the search's answer: pick its first match
}

func newUserPicker(m *mainScreen, exclude []int64) *userPicker {
	p := &userPicker{m: m, exclude: map[int64]bool{m.me: true}}
	for _, id := range exclude {
		p.exclude[id] = true
	}
	p.entry = widget.NewEntry()
	p.entry.SetPlaceHolder(lang.L("Search by login or name"))
	p.entry.OnChanged = func(string) { p.search() }
	// Enter picks the first match, at once or as soon as the search answers.
	p.entry.OnSubmitted = func(string) {
		if len(p.found) > 0 && p.status.Text == "" {
			p.pick(0)
			return
		}
		p.pickFirst = true
	}
	p.status = widget.NewLabel(lang.L("Type at least 3 letters of a login or name."))
	p.status.Importance = widget.LowImportance
	p.status.Wrapping = fyne.TextWrapWord
	p.list = widget.NewList(
		func() int { return len(p.found) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widgets.NewAvatar("", 28), nil, name)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.found) {
				return
			}
			u := p.found[id]
			row := o.(*fyne.Container)
			text := userName(u.ID, map[int64]cache.User{u.ID: u})
			if u.Login != "" && text != u.Login {
				text += "  @" + u.Login
			}
			for _, obj := range row.Objects {
				switch w := obj.(type) {
				case *widget.Label:
					w.SetText(text)
				case *widgets.Avatar:
					w.SetName(userName(u.ID, map[int64]cache.User{u.ID: u}))
				}
			}
		},
	)
	p.list.OnSelected = func(id widget.ListItemID) {
		p.list.Unselect(id)
		if id < len(p.found) && p.OnPick != nil {
			p.pick(id)
		}
	}
	p.online = widget.NewLabel("")
	p.online.Importance = widget.LowImportance
	p.online.Hide()
	box := container.NewBorder(container.NewVBox(p.entry, p.status), p.online, nil, nil, p.list)
	m.bg.Go(p.countOnline)
	p.content = container.NewGridWrap(fyne.NewSize(380, 300), box)
	return p
}

// minUserQuery is the shortest text worth a server round trip.
const minUserQuery = 3

func (p *userPicker) search() {
	gen := p.gen.Add(1)
	p.pickFirst = false // a new text: Enter must be pressed again
	q := strings.TrimSpace(p.entry.Text)
	if len([]rune(q)) < minUserQuery {
		p.found = nil
		p.list.Refresh()
		p.status.SetText(lang.L("Type at least 3 letters of a login or name."))
		return
	}
	p.status.SetText(lang.L("Searching…"))
	p.m.bg.Go(func() {
		if !sleepCtx(p.m.ctx, searchDelay*2) {
			return
		}
		if p.gen.Load() != gen { // typed on: a newer search runs
			return
		}
		ctx, cancel := context.WithTimeout(p.m.ctx, loadTimeout)
		users, err := p.m.engine.FindUsers(ctx, q)
		cancel()
		runOnUI(func() {
			if p.gen.Load() != gen {
				return
			}
			if err != nil {
				p.status.SetText(lang.X("users.search_failed", "Could not search users: {{.Error}}", msgData{"Error": actionErrorText(err)}))
				return
			}
			p.found = p.found[:0]
			for _, u := range users {
				if !p.exclude[u.ID] {
					p.found = append(p.found, u)
				}
			}
			if len(p.found) == 0 {
				p.status.SetText(lang.L("Nobody found."))
			} else {
				p.status.SetText("")
			}
			p.list.Refresh()
			if p.pickFirst && len(p.found) > 0 {
				p.pick(0)
			}
			p.pickFirst = false
		})
	})
}

// pick hands match id to OnPick.
func (p *userPicker) pick(id int) {
	p.pickFirst = false
	if id < len(p.found) && p.OnPick != nil {
		p.OnPick(p.found[id])
	}
}

// countOnline shows how many users are connected now (the server's count); nothing when
// the server cannot say.
func (p *userPicker) countOnline() {
	ctx, cancel := context.WithTimeout(p.m.ctx, loadTimeout)
	defer cancel()
	n, err := p.m.engine.OnlineCount(ctx)
	if err != nil {
		return
	}
	runOnUI(func() {
		p.online.SetText(fmt.Sprintf(lang.L("%d online"), n))
		p.online.Show()
	})
}
