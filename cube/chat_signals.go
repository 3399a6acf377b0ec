package cube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Peer says where a chat signal goes: the other user of a private dialog (type chat
// to their JID) or a group, public or broadcast dialog's room (type groupchat).
type Peer struct {
	DialogID    string
	DialogType  int   // DialogPrivate or a group type
	RecipientID int64 // the other user, private dialogs only
}

// PeerOf is the peer of dialog d as seen by user self: for a private dialog, the
// occupant that is not self.
func PeerOf(d *Dialog, self int64) Peer {
	p := Peer{DialogID: d.ID, DialogType: d.Type}
	if d.Type == DialogPrivate {
		for _, id := range d.OccupantsIDs {
			if id != self {
				p.RecipientID = id
				break
			}
		}
	}
	return p
}

// address is the stanza's to and type.
func (p Peer) address(cfg Config) (to, typ string, err error) {
	if p.DialogType == DialogPrivate {
		if p.RecipientID <= 0 {
			return "", "", errors.New("cube: a private dialog peer needs a recipient id")
		}
		return UserJID(p.RecipientID, cfg.AppID, cfg.ChatDomain), ChatType, nil
	}
	if p.DialogID == "" {
		return "", "", errors.New("cube: a group dialog peer needs a dialog id")
	}
	return RoomJID(cfg.AppID, p.DialogID, cfg.ChatDomain), GroupChatType, nil
}

// SendTyping tells the peer that this user is typing (composing) or stopped (paused).
// As in the SDKs the stanza has no id and no extraParams.
func (c *Chat) SendTyping(ctx context.Context, to Peer, composing bool) error {
	addr, typ, err := to.address(c.cfg)
	if err != nil {
		return err
	}
	st := &MessageStanza{To: addr, Type: typ}
	if composing {
		st.Composing = &Empty{}
	} else {
		st.Paused = &Empty{}
	}
	return c.Send(ctx, st)
}

// SendDelivered tells the sender of msg that it reached this device.
func (c *Chat) SendDelivered(ctx context.Context, msg Message) error {
	return c.sendMarkerCtx(ctx, msg, MarkerDelivered)
}

// SendDeliveredAll is SendDelivered for each of msgs, in order, in one write to the
// socket: a run of messages stored together is acknowledged with one TLS record
// and one system call (docs/benchmarks.md, issue 10, round 4). Nothing is sent when
// a marker cannot be built.
func (c *Chat) SendDeliveredAll(ctx context.Context, msgs []Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var b []byte
	for _, msg := range msgs {
		st, err := markerStanza(c.cfg, c.opts.UserID, msg, MarkerDelivered)
		if err != nil {
			return err
		}
		one, err := encodeStanza(st)
		if err != nil {
			return err
		}
		b = append(b, one...)
	}
	if len(msgs) == 0 {
		return nil
	}
	cc := c.current()
	if cc == nil {
		return ErrNotConnected
	}
	return cc.sendStanzas(b, len(msgs))
}

// SendRead tells the sender of msg that this user has seen it.
func (c *Chat) SendRead(ctx context.Context, msg Message) error {
	return c.sendMarkerCtx(ctx, msg, MarkerRead)
}

func (c *Chat) sendMarkerCtx(ctx context.Context, msg Message, kind MarkerKind) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cc := c.current()
	if cc == nil {
		return ErrNotConnected
	}
	return c.sendMarker(cc, msg, kind)
}

// sendMarker builds a chat marker: always type chat, to the original sender's bare
// JID (also for group messages), with the dialog in extraParams (docs/protocol.md §8.5).
func (c *Chat) sendMarker(cc *chatConn, msg Message, kind MarkerKind) error {
	st, err := markerStanza(c.cfg, c.opts.UserID, msg, kind)
	if err != nil {
		return err
	}
	return cc.sendXML(st)
}

func markerStanza(cfg Config, self int64, msg Message, kind MarkerKind) (*MessageStanza, error) {
	if msg.ID == "" || msg.SenderID <= 0 {
		return nil, errors.New("cube: a marker needs the message id and its sender")
	}
	if msg.SenderID == self {
		return nil, errors.New("cube: no markers for one's own messages")
	}
	st := &MessageStanza{ID: NewObjectID(), Type: ChatType, To: UserJID(msg.SenderID, cfg.AppID, cfg.ChatDomain)}
	switch kind {
	case MarkerDelivered:
		st.Received = &MarkerElem{ID: msg.ID}
	case MarkerRead:
		st.Displayed = &MarkerElem{ID: msg.ID}
	default:
		return nil, fmt.Errorf("cube: unknown marker kind %d", kind)
	}
	if msg.ChatDialogID != "" {
		st.Extra = &ExtraParams{Params: []Param{{Name: "dialog_id", Value: msg.ChatDialogID}}}
	}
	return st, nil
}

// OutgoingEdit replaces the text of an earlier message (XEP-0308 with ConnectyCube's
// last flag). Last says whether it is the newest message of the dialog.
type OutgoingEdit struct {
	Peer
	ID        string // the edit stanza's own id; "" = NewObjectID()
	MessageID string // the message being corrected
	Body      string
	Last      bool
	Extra     map[string]any // more extraParams, sent along with dialog_id
}

// EditMessage sends a correction and returns the stanza sent. The stored text changes
// only through REST (UpdateMessages with Message); this tells the live participants.
func (c *Chat) EditMessage(ctx context.Context, e OutgoingEdit) (*MessageStanza, error) {
	if e.MessageID == "" || e.Body == "" {
		return nil, errors.New("cube: an edit needs the message id and the new text")
	}
	st, err := signalStanza(c.cfg, e.Peer, e.ID, e.Extra)
	if err != nil {
		return nil, err
	}
	st.Body = Str(e.Body)
	st.Replace = &ReplaceElem{ID: e.MessageID, Last: strconv.FormatBool(e.Last)}
	if err := c.Send(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

// DeleteMessageChat tells the live participants that messageID was deleted
// (<remove/>); history changes only through REST DeleteMessages.
func (c *Chat) DeleteMessageChat(ctx context.Context, to Peer, messageID string) (*MessageStanza, error) {
	if messageID == "" {
		return nil, errors.New("cube: a delete needs the message id")
	}
	st, err := signalStanza(c.cfg, to, "", nil)
	if err != nil {
		return nil, err
	}
	st.Remove = &RemoveElem{ID: messageID}
	if err := c.Send(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

// signalStanza is the frame of an edit or delete: addressed to the peer, with its own
// id and the dialog id (and any extra values) in extraParams.
func signalStanza(cfg Config, to Peer, id string, extra map[string]any) (*MessageStanza, error) {
	addr, typ, err := to.address(cfg)
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = NewObjectID()
	}
	st := &MessageStanza{ID: id, To: addr, Type: typ, Extra: &ExtraParams{}}
	if err := addParams(st.Extra, extra, "dialog_id"); err != nil {
		return nil, err
	}
	if to.DialogID != "" {
		st.Extra.Set("dialog_id", to.DialogID)
	}
	return st, nil
}

// addParams appends caller values to extraParams, refusing reserved and non-XML names.
func addParams(e *ExtraParams, values map[string]any, reserved ...string) error {
	for _, p := range ParamsFromMap(values) {
		if slices.Contains(reserved, p.Name) || p.Name == "attachment" {
			return fmt.Errorf("cube: parameter %q is reserved", p.Name)
		}
		if !validXMLName(p.Name) {
			return fmt.Errorf("cube: parameter %q is not a valid XML name", p.Name)
		}
		e.Params = append(e.Params, p)
	}
	return nil
}

// SendSystemMessageChat sends a system message straight to a user: a headline with
// moduleIdentifier SystemNotifications and params in extraParams. System messages are
// user-to-user only; the receiver gets a SystemMessageEvent.
func (c *Chat) SendSystemMessageChat(ctx context.Context, toUserID int64, body string, params map[string]any) (*MessageStanza, error) {
	if toUserID <= 0 {
		return nil, errors.New("cube: a system message needs a recipient id")
	}
	st := &MessageStanza{ID: NewObjectID(), To: UserJID(toUserID, c.cfg.AppID, c.cfg.ChatDomain), Type: HeadlineType,
		Extra: &ExtraParams{Params: []Param{{Name: "moduleIdentifier", Value: ModuleSystemNotifications}}}}
	if body != "" {
		st.Body = Str(body)
	}
	if err := addParams(st.Extra, params, "moduleIdentifier"); err != nil {
		return nil, err
	}
	if err := c.Send(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}
