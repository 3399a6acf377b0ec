package app

import (
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// noCertHint fills the certificate's info line while none is pinned.
func noCertHint() string { return lang.L("None pinned: the system's trusted certificates are used.") }

// certFileExtensions are the names certificate files usually have.
var certFileExtensions = []string{".pem", ".crt", ".cer"}

// certPicker is the optional "Server certificate" row of the custom server form: the
// chosen file's name in a read-only entry, "Choose…" and "Clear", and below them whom
// the certificate names and until when — or why the chosen file was refused. A refused
// file changes nothing: the previous choice stays pinned.
type certPicker struct {
	win      fyne.Window
	onChange func() // the row changed height (info shown or hidden)
	now      func() time.Time

	fileName  *widget.Entry
	chooseBtn *widget.Button
	clearBtn  *widget.Button
	info      *widget.Label
	infoRow   *fyne.Container
	content   fyne.CanvasObject

	// What is pinned: the file's name and its PEM text ("" = none, the system's roots).
	name, pem string
}

func newCertPicker(win fyne.Window, onChange func()) *certPicker {
	p := &certPicker{win: win, onChange: onChange, now: time.Now}
	p.fileName = widget.NewEntry()
	p.fileName.SetPlaceHolder(lang.L("None"))
	// A new Entry clips its text (fyne.TextTruncateClip), so a long file name cannot
	// widen the form.
	p.fileName.Disable() // shows the choice; only Choose… and Clear change it
	p.chooseBtn = widget.NewButtonWithIcon(lang.L("Choose…"), theme.FolderOpenIcon(), p.choose)
	p.clearBtn = widget.NewButtonWithIcon(lang.L("Clear"), theme.ContentClearIcon(), p.clear)
	p.clearBtn.Importance = widget.LowImportance
	p.info = widget.NewLabel("")
	p.info.Wrapping = fyne.TextWrapWord
	// Two lines keep the row inside the login column: the file and Choose…, then what
	// the certificate is (or why a file was refused) and Clear.
	p.infoRow = container.NewBorder(nil, nil, nil, p.clearBtn, p.info)
	p.content = container.NewVBox(
		container.NewBorder(nil, nil, nil, p.chooseBtn, p.fileName),
		p.infoRow,
	)
	p.show()
	return p
}

// set shows a remembered choice (from the saved form or the demo's profile).
func (p *certPicker) set(name, pemText string) {
	p.name, p.pem = name, pemText
	if pemText == "" {
		p.name = ""
	} else if p.name == "" {
		p.name = lang.L("pinned certificate")
	}
	p.show()
}

// choose opens the file dialog, showing certificate files only.
func (p *certPicker) choose() {
	d := dialog.NewFileOpen(p.chosen, p.win)
	d.SetFilter(storage.NewExtensionFileFilter(certFileExtensions))
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// chosen is the file dialog's answer: nil when cancelled.
func (p *certPicker) chosen(r fyne.URIReadCloser, err error) {
	if err != nil {
		p.showError(lang.X("file.open_failed", "Could not open the file: {{.Error}}", msgData{"Error": err.Error()}))
		return
	}
	if r == nil {
		return
	}
	defer r.Close()
	p.load(r.URI().Name(), r)
}

// load pins the certificate file read from r, or explains why it cannot.
func (p *certPicker) load(name string, r io.Reader) {
	data, err := readCertFile(r)
	if err != nil {
		text := name + ": " + err.Error()
		if p.pem != "" {
			text += " " + lang.X("cert.still_using", "Still using {{.Name}}.", msgData{"Name": p.name})
		}
		p.showError(text)
		return
	}
	p.name, p.pem = name, string(data)
	p.show()
}

// clear unpins: the server must then be trusted by the system.
func (p *certPicker) clear() {
	p.name, p.pem = "", ""
	p.show()
}

// show brings the widgets in line with what is pinned.
func (p *certPicker) show() {
	p.fileName.SetText(p.name)
	if p.pem == "" {
		// The line stays, with a hint, so picking a file does not push the form down.
		p.clearBtn.Hide()
		p.info.SetText(noCertHint())
		p.info.Importance = widget.LowImportance
		p.showInfo()
		return
	}
	p.clearBtn.Show()
	certs, err := parsePEMCerts([]byte(p.pem))
	if err != nil {
		p.showError(err.Error())
		return
	}
	p.info.SetText(describeCerts(certs, p.now()))
	p.info.Importance = widget.MediumImportance
	if p.now().After(certs[0].NotAfter) {
		p.info.Importance = widget.WarningImportance
	}
	p.showInfo()
}

func (p *certPicker) showError(text string) {
	p.info.SetText(text)
	p.info.Importance = widget.DangerImportance
	p.showInfo()
}

func (p *certPicker) showInfo() {
	p.info.Show()
	p.infoRow.Show()
	p.info.Refresh()
	p.infoRow.Refresh()
	p.changed()
}

func (p *certPicker) changed() {
	if p.onChange != nil {
		p.onChange()
	}
}
