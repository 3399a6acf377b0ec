package app

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// searchDelay lets a fast typist finish a word before the cache is searched (the dialog
// names filter at once).
const searchDelay = 150 * time.Millisecond

// searchLimit is how many message hits one search shows.
const searchLimit = 50

// searchPanel is the search entry above the dialogs list: it filters the list by name
// at once and searches cached messages (offline too); "Search on server" adds the
// server's global search when online. Results replace the list while text is entered.
type searchPanel struct {
	m       *mainScreen
	bar     fyne.CanvasObject
	entry   *widgets.KeyEntry
	server  *widget.Button
	results *fyne.Container
	list    *widget.List
	status  *widget.Label
	busy    *widget.ProgressBarInfinite // while the server searches
	icon    *widget.Icon                // in the entry's action item while it is empty…
	clear   *widget.Button              // …and the × that empties it in its place

	items  []searchItem
	hits   []cache.Message // cache hits, then server hits
	online bool
	gen    int // bumped per query; stale results are dropped
}

func newSearchPanel(m *mainScreen) *searchPanel {
	s := &searchPanel{m: m}
	s.entry = widgets.NewKeyEntry()
	s.entry.OnKey = s.key
	s.entry.OnShortcut = m.runShortcut
	s.entry.SetPlaceHolder(lang.L("Search chats and messages"))
	s.icon = widget.NewIcon(theme.SearchIcon())
	s.clear = widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() {
		s.entry.SetText("")
		s.m.ui.win.Canvas().Focus(s.entry)
	})
	s.clear.Importance = widget.LowImportance
	s.clear.Hide()
	// Both live in the action item for good: Fyne's entry draws only the action item it
	// was first rendered with, so a swapped-in × would be laid out but never drawn.
	s.entry.ActionItem = container.NewStack(s.icon, s.clear)
	s.entry.OnChanged = func(string) { s.changed() }
	s.server = widget.NewButtonWithIcon(lang.L("Search on server"), theme.SearchIcon(), s.searchServer)
	s.server.Importance = widget.LowImportance
	s.server.Hide()
	s.bar = container.NewVBox(s.entry)

	s.list = widget.NewList(
		func() int { return len(s.items) },
		func() fyne.CanvasObject { return newSearchRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(s.items) {
				o.(*searchRow).set(s.items[id], s.query())
			}
		},
	)
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.Unselect(id)
		if id < len(s.items) {
			s.open(s.items[id])
		}
	}
	s.status = widget.NewLabel("")
	s.status.Importance = widget.LowImportance
	s.status.Wrapping = fyne.TextWrapWord
	s.busy = widget.NewProgressBarInfinite()
	s.busy.Stop()
	s.busy.Hide()
	s.results = container.NewBorder(nil, container.NewVBox(s.busy, s.status, s.server), nil, nil, s.list)
	s.results.Hide()
	return s
}

// query is the text being searched for ("" = not searching).
func (s *searchPanel) query() string { return strings.TrimSpace(s.entry.Text) }

// setOnline offers the server search only while connected.
func (s *searchPanel) setOnline(online bool) {
	s.online = online
	s.showServerButton()
}

func (s *searchPanel) showServerButton() {
	if canSearchServer(s.query(), s.online) {
		s.server.Show()
	} else {
		s.server.Hide()
	}
}

// changed filters the dialogs at once and searches messages after a short pause.
func (s *searchPanel) changed() {
	s.gen++
	gen, q := s.gen, s.query()
	s.showClear(s.entry.Text != "")
	s.m.applyFilter()
	s.showServerButton()
	if q == "" {
		s.items, s.hits = nil, nil
		s.showResults(false)
		return
	}
	s.hits = nil
	s.layout()
	s.showResults(true)
	s.m.bg.Go(func() {
		if !sleepCtx(s.m.ctx, searchDelay) {
			return
		}
		var stale bool
		runOnUI(func() { stale = s.gen != gen })
		if stale {
			return
		}
		ctx, cancel := context.WithTimeout(s.m.ctx, loadTimeout)
		hits, err := s.m.db.Search(ctx, q, searchLimit)
		cancel()
		runOnUI(func() {
			if s.gen != gen {
				return
			}
			if err != nil {
				s.m.log.Warn("searching the cache", "err", err)
				s.setStatus(lang.X("search.failed", "Search failed: {{.Error}}", msgData{"Error": err.Error()}))
				return
			}
			s.hits = hits
			s.layout()
		})
	})
}

// showClear puts the × in the search box while it holds text, the magnifier otherwise.
func (s *searchPanel) showClear(show bool) {
	if show {
		s.icon.Hide()
		s.clear.Show()
	} else {
		s.clear.Hide()
		s.icon.Show()
	}
}

// showResults swaps the dialogs list for the results (and back). Both lists fill the
// same place, so the one not in use is hidden: drawn together, their rows overlap.
func (s *searchPanel) showResults(show bool) {
	if show {
		s.m.list.Hide()
		s.results.Show()
	} else {
		s.results.Hide()
		s.m.list.Show()
	}
}

// searchServer runs the global search; its results land in the cache and show here.
func (s *searchPanel) searchServer() {
	gen, q := s.gen, s.query()
	s.server.Disable()
	s.busy.Show()
	s.busy.Start()
	s.setStatus(lang.X("search.on_server", "Searching on the server for “{{.Query}}”…", msgData{"Query": q}))
	s.m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(s.m.ctx, 2*loadTimeout)
		found, err := s.m.engine.SearchServer(ctx, q)
		cancel()
		runOnUI(func() {
			s.server.Enable()
			s.busy.Stop()
			s.busy.Hide()
			if s.gen != gen {
				return
			}
			if err != nil {
				s.setStatus(lang.X("search.server_failed", "The server search failed: {{.Error}}", msgData{"Error": actionErrorText(err)}))
				return
			}
			s.hits = append(s.hits, found...)
			s.layout()
			s.setStatus(serverSearchText(len(found)))
		})
	})
}

// serverSearchText reports what the server search added.
func serverSearchText(n int) string {
	if n == 0 {
		return lang.L("No more messages found on the server.")
	}
	return lang.XN("search.server_found", "{{.Count}} messages found on the server.", n, msgData{"Count": n})
}

// setStatus shows a line under the results ("" hides it).
func (s *searchPanel) setStatus(text string) {
	s.status.SetText(text)
	if text == "" {
		s.status.Hide()
	} else {
		s.status.Show()
	}
}

// layout rebuilds the result rows from the filtered dialogs and the hits.
func (s *searchPanel) layout() {
	s.items = searchResults(s.m.shown, s.hits, s.m.dialogs, s.m.me, s.m.users, time.Now(), time.Local)
	switch {
	case len(s.items) == 0 && s.hits == nil:
		s.setStatus(lang.L("Searching…"))
	case len(s.items) == 0:
		s.setStatus(lang.L("No chats or messages found on this device."))
	default:
		s.setStatus("")
	}
	// Section titles are one short line; results use the template's two lines.
	measure := newSearchRow()
	for i, it := range s.items {
		measure.set(it, "")
		s.list.SetItemHeight(i, measure.MinSize().Height)
	}
	s.list.Refresh()
}

// key handles the search box's keys: Esc clears the search (then leaves the box), Enter
// opens the first result, F1 shows the shortcuts.
func (s *searchPanel) key(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyEscape:
		if s.entry.Text != "" {
			s.entry.SetText("")
		} else {
			s.m.ui.win.Canvas().Unfocus()
		}
		return true
	case fyne.KeyReturn, fyne.KeyEnter:
		for _, it := range s.items {
			if it.Kind != searchHeader {
				s.open(it)
				return true
			}
		}
		return false
	case fyne.KeyF1:
		s.m.showShortcuts()
		return true
	}
	return false
}

// open shows a result: a chat, or a chat scrolled to the message.
func (s *searchPanel) open(it searchItem) {
	switch it.Kind {
	case searchDialog:
		s.m.openAt(it.DialogID, "")
	case searchMessage:
		s.m.openAt(it.DialogID, it.MessageID)
	}
}

// searchRow is a result row: a section title, or a name with the message under it; the
// words searched for are bold (search_highlight.go).
type searchRow struct {
	widget.BaseWidget
	title, text *widget.RichText
	when        *widget.Label
	box         *fyne.Container
}

func newSearchRow() *searchRow {
	r := &searchRow{
		title: widget.NewRichText(),
		text:  widget.NewRichText(),
		when:  widget.NewLabel(""),
	}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.text.Truncation = fyne.TextTruncateEllipsis
	r.when.SizeName = theme.SizeNameCaptionText
	r.when.Importance = widget.LowImportance
	r.box = container.New(&tightRows{}, container.NewBorder(nil, nil, nil, r.when, r.title), r.text)
	r.ExtendBaseWidget(r)
	return r
}

// set shows it, with the words of query in bold.
func (r *searchRow) set(it searchItem, query string) {
	r.when.SetText(it.Time)
	switch it.Kind {
	case searchHeader:
		r.title.Segments = highlightSegments(it.Title, "", widget.RichTextStyle{
			ColorName: theme.ColorNameDisabled, SizeName: theme.SizeNameCaptionText})
	case searchDialog: // the chat's name is what matched
		r.title.Segments = highlightSegments(it.Title, query, searchQueryStyle)
	default:
		title := searchQueryStyle
		title.TextStyle.Bold = true
		r.title.Segments = highlightSegments(it.Title, "", title)
	}
	r.text.Segments = highlightSegments(it.Text, query, searchQueryStyle)
	r.text.Refresh()
	if it.Kind == searchMessage {
		r.text.Show()
	} else {
		r.text.Hide()
	}
	r.title.Refresh()
	r.box.Refresh()
}

func (r *searchRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }
