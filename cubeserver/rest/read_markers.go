package rest

import (
	"context"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// tellSenders relays a read (or delivered) mark made over REST to the senders of
// the messages it newly marked, as the chat marker the reader's chat would have
// sent (docs/protocol.md §8.5). Without it a REST mark tells nobody, and a sender
// whose chat stays up never learns of it: a client that reads a whole dialog marks
// messages it has not received yet, and so cannot send their markers itself. A
// sender offline now learns of it from its next catch-up (the marks moved the
// messages' updated_at). A sender whose privacy lists refuse the reader's messages
// is not told.
func (h *Handler) tellSenders(ctx context.Context, dialogID string, reader int64, marked []store.Marked, read bool) {
	if h.notifier == nil || len(marked) == 0 {
		return
	}
	gate, _ := h.notifier.(privacyGate)
	from := cube.UserJID(reader, h.cfg.AppID, h.cfg.Domain)
	refused := map[int64]bool{}
	for _, m := range marked {
		if m.SenderID == reader || m.SenderID <= 0 {
			continue
		}
		blocked, known := refused[m.SenderID]
		if !known {
			blocked = gate != nil && gate.Blocks(ctx, reader, m.SenderID)
			refused[m.SenderID] = blocked
		}
		if blocked {
			continue
		}
		st := &cube.MessageStanza{Type: cube.ChatType, ID: cube.NewObjectID(), From: from,
			To: cube.UserJID(m.SenderID, h.cfg.AppID, h.cfg.Domain), Extra: &cube.ExtraParams{}}
		st.Extra.Set("dialog_id", dialogID)
		if read {
			st.Displayed = &cube.MarkerElem{ID: m.ID}
		} else {
			st.Received = &cube.MarkerElem{ID: m.ID}
		}
		h.notifier.Deliver(m.SenderID, st)
	}
}
