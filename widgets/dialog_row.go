package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// DialogRowData is everything a dialog row shows, already formatted by the caller.
type DialogRowData struct {
	Name    string // dialog or peer name; also drives the avatar
	Preview string // last message, one line (newlines are flattened here too)
	Time    string // "14:05", "Mon", "12.03.25"…
	Unread  int
	Muted   bool
}

// DialogRow is one entry of the dialogs list: avatar, name, time, last message preview,
// muted mark and unread badge. It is made once per visible list slot and re-filled with
// Update, so it must not hold per-dialog state beyond its data.
type DialogRow struct {
	widget.BaseWidget
	data DialogRowData

	avatar  *Avatar
	name    *widget.Label
	time    *widget.Label
	preview *widget.Label
	muted   *widget.Icon
	badge   *Badge
	content *fyne.Container // set once rendered
}

// avatarSize is the diameter of avatars in the dialogs list.
const avatarSize float32 = 40

// NewDialogRow makes an empty row; call Update to fill it.
func NewDialogRow() *DialogRow {
	r := &DialogRow{
		avatar:  NewAvatar("", avatarSize),
		name:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		time:    widget.NewLabel(""),
		preview: widget.NewLabel(""),
		muted:   widget.NewIcon(theme.NewColoredResource(theme.VolumeMuteIcon(), theme.ColorNamePlaceHolder)),
		badge:   NewBadge(0),
	}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.preview.Truncation = fyne.TextTruncateEllipsis
	r.time.SizeName = theme.SizeNameCaptionText
	r.time.Importance = widget.LowImportance
	r.muted.Hide()
	r.ExtendBaseWidget(r)
	return r
}

// Update shows data in the row.
func (r *DialogRow) Update(data DialogRowData) {
	data.Preview = oneLine(data.Preview)
	r.data = data
	r.avatar.SetName(data.Name)
	r.name.SetText(data.Name)
	r.time.SetText(data.Time)
	r.preview.SetText(data.Preview)
	if data.Muted {
		r.muted.Show()
	} else {
		r.muted.Hide()
	}
	r.badge.SetCount(data.Unread, data.Muted)
	if r.content != nil {
		// Texts and marks changed size: lay the row out again now rather than on the
		// driver's next min-size pass, so a recycled row never shows stale positions.
		r.content.Refresh()
	}
}

// Data returns what the row currently shows.
func (r *DialogRow) Data() DialogRowData { return r.data }

func (r *DialogRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, r.time, r.name)
	// The badge sits in a centring box so it keeps its pill shape in a taller row, and
	// ends where the time's text ends (a label pads its text): flush with the row's edge
	// it would sit under the list's scroll bar.
	marks := container.New(layout.NewCustomPaddedLayout(0, 0, 0, theme.InnerPadding()),
		container.NewHBox(r.muted, container.NewCenter(r.badge)))
	bottom := container.NewBorder(nil, nil, nil, marks, r.preview)
	text := container.New(&tightVBox{}, top, bottom)
	r.content = container.NewBorder(nil, nil, container.NewCenter(r.avatar), nil, text)
	return widget.NewSimpleRenderer(r.content)
}
