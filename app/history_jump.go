package app

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
)

// jumpDown is the button over the history's bottom-right corner that appears when new
// messages arrive while the reader is scrolled up: it shows how many, and a click goes
// down to them. It goes away once the newest row is in view.
type jumpDown struct {
	btn    *widget.Button
	box    fyne.CanvasObject
	unseen int
}

func newJumpDown(toBottom func()) *jumpDown {
	j := &jumpDown{}
	j.btn = widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() {
		toBottom()
		j.reset()
	})
	j.btn.Importance = widget.HighImportance
	j.box = container.NewPadded(container.NewVBox(layout.NewSpacer(),
		container.NewHBox(layout.NewSpacer(), j.btn)))
	j.btn.Hide()
	return j
}

// arrived counts n new messages that came in below the reader's view.
func (j *jumpDown) arrived(n int) {
	if n <= 0 {
		return
	}
	j.unseen += n
	j.btn.SetText(strconv.Itoa(j.unseen))
	j.btn.Show()
}

// reset hides the button: the newest row is in view.
func (j *jumpDown) reset() {
	if j.unseen == 0 && !j.btn.Visible() {
		return
	}
	j.unseen = 0
	j.btn.SetText("")
	j.btn.Hide()
}

// newerThan counts the messages of now that come after the newest one of before (0
// when before was empty: a first load brings nothing "new").
func newerThan(before, now []cache.Message) int {
	if len(before) == 0 {
		return 0
	}
	last := before[len(before)-1].ID
	for i := len(now) - 1; i >= 0; i-- {
		if now[i].ID == last {
			return len(now) - 1 - i
		}
	}
	return 0 // the newest known row is gone (deleted): count nothing rather than guess
}
