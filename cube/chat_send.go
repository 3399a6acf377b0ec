package cube

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cubechat/cubechat/internal/livestage"
)

// OutgoingMessage is a chat message to send.
type OutgoingMessage struct {
	ID            string // "" = NewObjectID()
	DialogID      string
	DialogType    int   // DialogPrivate → type chat to RecipientID; others → groupchat to the room JID
	RecipientID   int64 // private dialogs only
	Body          string
	SaveToHistory bool
	DateSent      int64 // unix seconds; 0 = now
	Attachments   []Attachment
	Custom        map[string]any
}

// Send sends any message stanza on the live connection.
func (c *Chat) Send(ctx context.Context, m *MessageStanza) error {
	if m == nil {
		return errors.New("cube: nil stanza")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Refused stanzas fail the same way online and offline, so a caller (the outbox)
	// can tell a message that can never be sent from one that waits for a connection.
	if err := m.checkText(); err != nil {
		return err
	}
	b, err := encodeStanza(m)
	if err != nil {
		return err
	}
	cc := c.current()
	if cc == nil {
		return ErrNotConnected
	}
	return cc.sendRaw(b)
}

// SendMessage builds the ConnectyCube message stanza for out, sends it and returns it
// (its ID is the future message _id).
func (c *Chat) SendMessage(ctx context.Context, out OutgoingMessage) (*MessageStanza, error) {
	st, err := buildMessageStanza(c.cfg, out, timeNow())
	if err != nil {
		return nil, err
	}
	livestage.Mark(livestage.Wire, st.ID)
	if err := c.Send(ctx, st); err != nil {
		return nil, err
	}
	livestage.Mark(livestage.Wired, st.ID)
	return st, nil
}

// buildMessageStanza checks out and turns it into a stanza; nothing is sent.
func buildMessageStanza(cfg Config, out OutgoingMessage, now time.Time) (*MessageStanza, error) {
	if out.Body == "" && len(out.Attachments) == 0 {
		return nil, errors.New("cube: a message needs a body or an attachment")
	}
	st := &MessageStanza{ID: out.ID, Extra: &ExtraParams{Attachments: out.Attachments}}
	if st.ID == "" {
		st.ID = NewObjectID()
	}
	if out.DialogType == DialogPrivate {
		if out.RecipientID <= 0 {
			return nil, errors.New("cube: a private message needs a recipient id")
		}
		st.Type, st.To = ChatType, UserJID(out.RecipientID, cfg.AppID, cfg.ChatDomain)
	} else {
		if out.DialogID == "" {
			return nil, errors.New("cube: a group message needs a dialog id")
		}
		st.Type, st.To = GroupChatType, RoomJID(cfg.AppID, out.DialogID, cfg.ChatDomain)
	}
	if out.Body != "" {
		st.Body = Str(out.Body)
	}
	if out.SaveToHistory {
		st.Extra.Set("save_to_history", "1")
	}
	if out.DialogID != "" {
		st.Extra.Set("dialog_id", out.DialogID)
	}
	sent := now.Unix()
	if out.DateSent != 0 {
		sent = UnixAny(out.DateSent).Unix()
	}
	st.Extra.Set("date_sent", strconv.FormatInt(sent, 10))
	for _, p := range ParamsFromMap(out.Custom) {
		if reservedParams[p.Name] || p.Name == "attachment" {
			return nil, fmt.Errorf("cube: custom parameter %q is reserved", p.Name)
		}
		if !validXMLName(p.Name) {
			return nil, fmt.Errorf("cube: custom parameter %q is not a valid XML name", p.Name)
		}
		st.Extra.Params = append(st.Extra.Params, p)
	}
	return st, nil
}
