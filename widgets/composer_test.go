package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

func TestComposerKeys(t *testing.T) {
	test.NewTempApp(t)
	c := NewComposerEntry()
	w := test.NewTempWindow(t, c)
	w.Canvas().Focus(c)
	var sent []string
	c.OnSend = func(text string) { sent = append(sent, text) }

	test.Type(c, "hello")
	c.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	c.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	test.Type(c, "world")
	if c.Text != "hello\nworld" || len(sent) != 0 {
		t.Fatalf("Shift+Enter should insert a newline: text=%q sent=%q", c.Text, sent)
	}

	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(sent) != 1 || sent[0] != "hello\nworld" {
		t.Fatalf("Enter should send the text, sent=%q", sent)
	}
	if c.Text != "hello\nworld" {
		t.Fatal("the composer keeps its text until the caller clears it")
	}

	c.SetText("   \n ")
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnter})
	if len(sent) != 1 {
		t.Fatal("blank text is not sent")
	}
}

func TestComposerForgetsShiftOnFocusLoss(t *testing.T) {
	test.NewTempApp(t)
	c := NewComposerEntry()
	test.NewTempWindow(t, c)
	var sent int
	c.OnSend = func(string) { sent++ }
	c.SetText("x")
	c.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftRight})
	c.FocusLost()
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if sent != 1 {
		t.Fatal("Shift released elsewhere must not turn Enter into a newline")
	}
}
