package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/cubechat/cubechat/widgets"
)

// bubbleSlots gives the history list's rows message bubbles from a pool of its own.
//
// Fyne's List makes a new item whenever it has none spare, and it has none spare
// often: every full refresh of the list (and SetItemHeight is one for each row whose
// height changed) first makes a template item to learn the row size, then drops the
// items it held in reserve. Fyne keeps the renderer of every widget it laid out for a
// minute after its last use, so each dropped bubble stayed in memory that long with
// its text, icons and reaction bar: opening 20 chats held about 1,700 bubbles for a
// list that shows 15 (docs/benchmarks.md, "Issue 10, memory in the real window,
// round 2"). So the list's items are empty slots (plain containers, which Fyne keeps
// no renderer for), and a slot gets a bubble when it is given a row: the one the row
// had in another slot, else one from a slot the list no longer shows, else a new one.
type bubbleSlots struct {
	h         *historyView
	newBubble func() *widgets.MessageBubble

	held     map[*fyne.Container]*slotBubble // slots that hold a bubble
	rowSlot  map[int]*fyne.Container         // the slot last given each row
	template fyne.Size                       // every slot's MinSize: the list's row template
	made     int                             // bubbles made so far (tests)
}

type slotBubble struct {
	b   *widgets.MessageBubble
	row int
}

func newBubbleSlots(h *historyView, newBubble func() *widgets.MessageBubble) *bubbleSlots {
	return &bubbleSlots{h: h, newBubble: newBubble, held: map[*fyne.Container]*slotBubble{}, rowSlot: map[int]*fyne.Container{},
		// What an empty bubble asked for as the list's template (bubbleRenderer.MinSize).
		template: fyne.NewSize(120, h.measurer.Measure(widgets.BubbleData{}, 240))}
}

// newSlot is the list's CreateItem: an empty container, cheap to make and to drop.
func (s *bubbleSlots) newSlot() fyne.CanvasObject {
	return &fyne.Container{Layout: slotLayout{min: s.template}}
}

// bubbleFor returns the bubble slot c shows for row, placing one in it if it has none.
func (s *bubbleSlots) bubbleFor(c *fyne.Container, row int) *widgets.MessageBubble {
	sb := s.held[c]
	if sb == nil {
		sb = &slotBubble{b: s.take(c, row)}
		s.held[c] = sb
		c.Objects = []fyne.CanvasObject{sb.b}
		// The slot may already have its size, and a container lays out only on a change.
		sb.b.Move(fyne.Position{})
		sb.b.Resize(c.Size())
	}
	if s.rowSlot[sb.row] == c {
		delete(s.rowSlot, sb.row)
	}
	sb.row = row
	s.rowSlot[row] = c
	return sb.b
}

// take finds a bubble for slot c, which is about to show row.
func (s *bubbleSlots) take(c *fyne.Container, row int) *widgets.MessageBubble {
	// The slot that showed this row before: the list shows a row in one item only, so
	// that slot is no longer on screen with it (and shows nothing else without being
	// given that row, which gives it a bubble again).
	if old := s.rowSlot[row]; old != nil && old != c {
		if b := s.release(old); b != nil {
			return b
		}
	}
	if b := s.spare(); b != nil {
		return b
	}
	s.made++
	return s.newBubble()
}

// spare takes the bubble of a slot the list does not show: one whose row another slot
// was given since, or whose row is more than a screen away from the view (the list
// shows only the rows in view; the screen of margin keeps this safe whatever the list
// is about to lay out).
func (s *bubbleSlots) spare() *widgets.MessageBubble {
	lo, hi, ok := s.rowsNearView()
	for c, sb := range s.held {
		if s.rowSlot[sb.row] != c || (ok && (sb.row < lo || sb.row > hi)) {
			return s.release(c)
		}
	}
	return nil
}

// release empties slot c and returns the bubble it held.
func (s *bubbleSlots) release(c *fyne.Container) *widgets.MessageBubble {
	sb := s.held[c]
	if sb == nil {
		return nil
	}
	delete(s.held, c)
	if s.rowSlot[sb.row] == c {
		delete(s.rowSlot, sb.row)
	}
	c.Objects = nil
	return sb.b
}

// rowsNearView returns the rows within a screen of the view; ok is false while the
// rows are not measured (the list then sizes rows itself, so nothing is known).
func (s *bubbleSlots) rowsNearView() (lo, hi int, ok bool) {
	h := s.h
	if len(h.heights) != len(h.rows) || len(h.rows) == 0 {
		return 0, 0, false
	}
	view := h.list.Size().Height
	top, bottom := h.list.GetScrollOffset()-view, h.list.GetScrollOffset()+2*view
	pad := theme.Padding()
	lo, hi = len(h.rows), -1
	var y float32
	for i, height := range h.heights {
		if y+height >= top && y <= bottom {
			lo, hi = min(lo, i), i
		}
		y += height + pad
	}
	return lo, hi, true
}

// slotLayout sizes a slot's bubble to the slot; its MinSize is the list's template.
type slotLayout struct{ min fyne.Size }

func (l slotLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
}

func (l slotLayout) MinSize([]fyne.CanvasObject) fyne.Size { return l.min }
