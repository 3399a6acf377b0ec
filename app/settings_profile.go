package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // avatars may be GIFs too (JPEG and PNG: thumbnails.go)
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/cubechat/cubechat/cache"
	csync "github.com/cubechat/cubechat/sync"
	"github.com/cubechat/cubechat/widgets"
)

// avatarSize is the side of the avatar preview, in Fyne units.
const avatarSize = 96

// profileTab edits the own profile on the server: name, avatar (uploaded with a
// preview first) and password.
type profileTab struct {
	s       *settingsScreen
	content fyne.CanvasObject

	// The header: who is signed in, as the cache has it.
	initials  *widgets.Avatar
	picture   *canvas.Image // the avatar, or the picked file; hidden when there is none
	headName  *widget.Label
	headLogin *widget.Label

	name          *widgets.KeyEntry
	avatarPath    string // picked, not yet saved
	saveProfile   *widget.Button
	profileStatus *widget.Label

	oldPassword, newPassword, confirm *widgets.KeyEntry
	changePassword                    *widget.Button
	passwordStatus                    *widget.Label

	shownAvatar string // the avatar uid whose image is shown
}

func newProfileTab(s *settingsScreen) *profileTab {
	p := &profileTab{s: s}
	p.initials = widgets.NewAvatar("", avatarSize)
	p.picture = &canvas.Image{FillMode: canvas.ImageFillContain}
	p.picture.SetMinSize(fyne.NewSquareSize(avatarSize))
	p.picture.Hide()
	p.headName = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.headName.SizeName = "subHeadingText"
	p.headLogin = widget.NewLabel("")
	p.headLogin.Importance = widget.LowImportance
	choose := widget.NewButton(lang.L("Choose picture…"), p.chooseAvatar)

	p.name = p.entry(false, lang.L("Your name"))
	p.name.OnSubmitted = func(string) { p.save() }
	p.saveProfile = widget.NewButton(lang.L("Save"), p.save)
	p.saveProfile.Importance = widget.HighImportance
	p.profileStatus = statusLabel()

	p.oldPassword = p.entry(true, lang.L("Current password"))
	p.newPassword = p.entry(true, lang.L("New password"))
	p.confirm = p.entry(true, lang.L("New password again"))
	p.confirm.OnSubmitted = func(string) { p.changePasswordNow() }
	p.changePassword = widget.NewButton(lang.L("Change password"), p.changePasswordNow)
	p.passwordStatus = statusLabel()

	head := container.NewBorder(nil, nil,
		container.NewStack(p.initials, p.picture),
		nil, container.NewVBox(p.headName, p.headLogin, container.NewHBox(choose)))
	form := widget.NewForm(widget.NewFormItem(lang.L("Name"), p.name))
	passwords := widget.NewForm(
		widget.NewFormItem(lang.L("Current"), p.oldPassword),
		widget.NewFormItem(lang.L("New"), p.newPassword),
		widget.NewFormItem(lang.L("Confirm"), p.confirm),
	)
	p.content = container.NewVScroll(container.NewVBox(
		head,
		widget.NewSeparator(),
		form, container.NewBorder(nil, nil, p.saveProfile, nil, p.profileStatus),
		widget.NewSeparator(),
		widget.NewLabelWithStyle(lang.L("Password"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		passwords, container.NewBorder(nil, nil, p.changePassword, nil, p.passwordStatus),
	))
	return p
}

// entry is a one-line entry whose Esc closes Settings and whose window shortcuts work.
func (p *profileTab) entry(password bool, placeholder string) *widgets.KeyEntry {
	e := widgets.NewKeyEntry()
	e.Password = password
	e.SetPlaceHolder(placeholder)
	e.OnKey = func(k *fyne.KeyEvent) bool {
		if k.Name == fyne.KeyEscape {
			p.s.close()
			return true
		}
		return false
	}
	e.OnShortcut = p.s.m.runShortcut
	return e
}

// statusLabel is the line under a form: errors and confirmations. Its text is never
// empty ("" would collapse it and move what is below).
func statusLabel() *widget.Label {
	l := widget.NewLabel(" ")
	l.Wrapping = fyne.TextWrapWord
	return l
}

func setStatus(l *widget.Label, text string, isErr bool) {
	if text == "" {
		text = " "
	}
	l.Importance = widget.MediumImportance
	if isErr {
		l.Importance = widget.DangerImportance
	}
	l.SetText(text)
}

// show fills the header and, unless the user is editing it, the name.
func (p *profileTab) show(me cache.User) {
	name := userName(me.ID, map[int64]cache.User{me.ID: me})
	p.headName.SetText(name)
	p.initials.SetName(name)
	if me.Login != "" {
		p.headLogin.SetText("@" + me.Login)
	}
	if p.name.Text == "" || p.name.Text == p.headName.Text {
		p.name.SetText(me.FullName)
	}
}

// loadAvatar shows the avatar uid's image, downloaded off the UI goroutine, unless it
// is shown already or a picked file is shown instead. Called on the UI goroutine.
func (p *profileTab) loadAvatar(uid string) {
	if uid == "" || uid == p.shownAvatar || p.avatarPath != "" {
		return
	}
	m := p.s.m
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		defer cancel()
		data, err := m.engine.Avatar(ctx, uid)
		if err != nil {
			m.log.Info("settings: the avatar could not be loaded", "err", err)
			return
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			m.log.Info("settings: the avatar is not an image", "err", err)
			return
		}
		runOnUI(func() {
			if p.avatarPath == "" {
				p.shownAvatar = uid
				p.showPicture(img)
			}
		})
	})
}

// showPicture puts an image in place of the initials.
func (p *profileTab) showPicture(img image.Image) {
	p.picture.Image = img
	p.picture.Refresh()
	p.picture.Show()
	p.initials.Hide()
}

// chooseAvatar asks for an image file; it is previewed, and uploaded by Save.
func (p *profileTab) chooseAvatar() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		p.pickAvatar(path)
	}, p.s.m.ui.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg", ".gif"}))
	d.Show()
}

// pickAvatar previews the image at path; a file that is not one is refused at once.
func (p *profileTab) pickAvatar(path string) {
	data, err := os.ReadFile(path)
	if err == nil && len(data) > csync.MaxAvatarBytes {
		err = fmt.Errorf(lang.L("the picture is larger than %d MB"), csync.MaxAvatarBytes>>20)
	}
	var img image.Image
	if err == nil {
		img, _, err = image.Decode(bytes.NewReader(data))
	}
	if err != nil {
		setStatus(p.profileStatus, lang.L("Cannot use this picture")+": "+err.Error(), true)
		return
	}
	p.avatarPath = path
	p.showPicture(img)
	setStatus(p.profileStatus, lang.L("Save to use this picture."), false)
}

// save sends the name and the picked avatar to the server.
func (p *profileTab) save() {
	name := strings.TrimSpace(p.name.Text)
	if name == "" {
		setStatus(p.profileStatus, lang.L("Your name cannot be empty."), true)
		return
	}
	ch := csync.ProfileChanges{FullName: &name, AvatarPath: p.avatarPath}
	p.saveProfile.Disable()
	setStatus(p.profileStatus, lang.L("Saving…"), false)
	m := p.s.m
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		defer cancel()
		u, err := m.engine.UpdateProfile(ctx, ch)
		runOnUI(func() {
			p.saveProfile.Enable()
			if err != nil {
				setStatus(p.profileStatus, lang.L("Could not save")+": "+actionErrorText(err), true)
				return
			}
			p.avatarPath = ""
			p.shownAvatar = u.Avatar
			p.show(u)
			setStatus(p.profileStatus, lang.L("Saved."), false)
		})
	})
}

// changePasswordNow checks the three fields and asks the server.
func (p *profileTab) changePasswordNow() {
	old, next := p.oldPassword.Text, p.newPassword.Text
	switch {
	case old == "":
		setStatus(p.passwordStatus, lang.L("Enter your current password."), true)
		return
	case len([]rune(next)) < minPasswordLen:
		setStatus(p.passwordStatus, fmt.Sprintf(lang.L("The new password needs at least %d characters."), minPasswordLen), true)
		return
	case next != p.confirm.Text:
		setStatus(p.passwordStatus, lang.L("The new passwords do not match."), true)
		return
	}
	p.changePassword.Disable()
	setStatus(p.passwordStatus, lang.L("Changing…"), false)
	m := p.s.m
	m.bg.Go(func() {
		ctx, cancel := context.WithTimeout(m.ctx, loadTimeout)
		defer cancel()
		err := m.engine.ChangePassword(ctx, old, next)
		runOnUI(func() {
			p.changePassword.Enable()
			switch {
			case errors.Is(err, csync.ErrWrongPassword):
				setStatus(p.passwordStatus, lang.L("The current password is wrong."), true)
				p.s.m.ui.win.Canvas().Focus(p.oldPassword)
			case err != nil:
				setStatus(p.passwordStatus, lang.L("Could not change the password")+": "+actionErrorText(err), true)
			default:
				p.oldPassword.SetText("")
				p.newPassword.SetText("")
				p.confirm.SetText("")
				setStatus(p.passwordStatus, lang.L("Password changed. Your other devices must sign in again."), false)
			}
		})
	})
}

// minPasswordLen is the shortest new password the form accepts.
const minPasswordLen = 8
