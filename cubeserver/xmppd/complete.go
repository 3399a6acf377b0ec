package xmppd

import (
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// isContent tells a new message (stored when asked, queued offline) from signals:
// typing, markers, edits, deletes and reactions, which are only relayed.
func isContent(m *cube.MessageStanza) bool {
	return m.Composing == nil && m.Paused == nil && m.Received == nil && m.Displayed == nil &&
		m.Replace == nil && m.Remove == nil && m.Reactions == nil
}

func isChatState(m *cube.MessageStanza) bool {
	return m.Composing != nil || m.Paused != nil
}

func saveToHistory(m *cube.MessageStanza) bool {
	v := m.Extra.Get("save_to_history")
	return v == "1" || v == "true"
}

// complete adds what the server owes every relayed content message (docs/protocol.md
// §9.2): dialog_id, date_sent in unix seconds, and an id. A stored message needs an
// ObjectId as id, because REST later addresses it by that id.
func complete(m *cube.MessageStanza, dialogID string, now time.Time) {
	if m.Extra == nil {
		m.Extra = &cube.ExtraParams{}
	}
	m.Extra.Set("dialog_id", dialogID)
	m.Extra.Set("date_sent", strconv.FormatInt(normalizeDateSent(m.Extra.Get("date_sent"), now), 10))
	if m.ID == "" || (saveToHistory(m) && !cube.IsObjectID(m.ID)) {
		m.ID = cube.NewObjectID()
	}
}

// normalizeDateSent reads date_sent as unix seconds; milliseconds (Dart SDK) are
// scaled down; a missing or unreadable value becomes the server time.
func normalizeDateSent(v string, now time.Time) int64 {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return now.Unix()
	}
	n := int64(f)
	if n > 100_000_000_000 {
		n /= 1000
	}
	return n
}

// notCustom are the extraParams that are message fields, not custom fields.
var notCustom = map[string]bool{"save_to_history": true, "dialog_id": true, "date_sent": true, "moduleIdentifier": true}

// storedMessage maps a completed stanza to the history row (docs/protocol.md §9.1).
func storedMessage(m *cube.MessageStanza, dialogID string, sender, recipient int64, now time.Time) cube.Message {
	custom := m.Extra.Map()
	for k := range notCustom {
		delete(custom, k)
	}
	if len(custom) == 0 {
		custom = nil
	}
	dateSent, _ := strconv.ParseInt(m.Extra.Get("date_sent"), 10, 64)
	return cube.Message{
		ID:           m.ID,
		ChatDialogID: dialogID,
		Message:      m.BodyText(),
		DateSent:     dateSent,
		SenderID:     sender,
		RecipientID:  recipient,
		ReadIDs:      []int64{sender},
		DeliveredIDs: []int64{sender},
		Attachments:  m.Extra.Attachments,
		Custom:       custom,
		CreatedAt:    cube.TimeOf(now),
		UpdatedAt:    cube.TimeOf(now),
	}
}

// isNotFound recognises a backend's "no such dialog/user" (see Backend).
func isNotFound(err error) bool {
	var nf interface{ NotFound() bool }
	return errors.Is(err, sql.ErrNoRows) || (errors.As(err, &nf) && nf.NotFound())
}

// stanzaErr is a routing refusal, bounced to the sender as an error stanza.
type stanzaErr struct {
	typ, code, cond, text string
}

func (e *stanzaErr) Error() string { return e.cond + ": " + e.text }

var (
	errRecipientNotFound = &stanzaErr{"cancel", "404", "item-not-found", "recipient not found"}
	errDialogNotFound    = &stanzaErr{"cancel", "404", "item-not-found", "dialog not found"}
	errNotOccupant       = &stanzaErr{"auth", "403", "forbidden", "you are not an occupant of this dialog"}
	errWrongDialog       = &stanzaErr{"modify", "406", "not-acceptable", "dialog_id is not the private dialog of this pair"}
	errInternal          = &stanzaErr{"wait", "500", "internal-server-error", "try again later"}
	errBadType           = &stanzaErr{"modify", "400", "bad-request", "unsupported message type"}
	errBadSignal         = &stanzaErr{"modify", "400", "bad-request", "replace and remove need the id of a message"}
	errNotAuthor         = &stanzaErr{"auth", "403", "forbidden", "only the sender (or a group admin, to delete) may change this message"}
	errReadOnlyDialog    = &stanzaErr{"auth", "403", "forbidden", "only the owner and admins may write to a broadcast dialog"}
	// errBlocked is what ConnectyCube answers a privacy-blocked 1-1 message with
	// (docs/protocol.md §8.12); the SDK reports {code: 503, info: text}.
	errBlocked = &stanzaErr{"cancel", "503", "service-unavailable", "Service not available."}
)

// Refusals for standard clients (RFC 6121 §8.5).
var (
	// errNoSuchUser answers a message to an account of this server that does not
	// exist (§8.5.1); its text tells it apart from errBlocked.
	errNoSuchUser = &stanzaErr{"cancel", "503", "service-unavailable", cube.ErrTextNoSuchUser}
	// errServiceUnavailable answers what nobody here serves: an IQ namespace the
	// server does not know, a full JID that is not online, an unknown account.
	errServiceUnavailable = &stanzaErr{"cancel", "503", "service-unavailable", ""}
)

// backendErr turns a backend failure into the refusal the sender sees.
func backendErr(err error, notFound *stanzaErr) *stanzaErr {
	if isNotFound(err) {
		return notFound
	}
	return errInternal
}
