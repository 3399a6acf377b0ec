package app

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/widgets"
)

// Replies and forwards travel in a message's custom parameters, so that any
// ConnectyCube client keeps them (docs/message-extras.md). Values are strings: XMPP
// extraParams carry text only.
const (
	paramReplyID       = "reply_to_id"
	paramReplySender   = "reply_to_sender_id"
	paramReplyText     = "reply_to_text"
	paramForwardID     = "forwarded_from_id"
	paramForwardSender = "forwarded_from_sender_id"
	paramForwardName   = "forwarded_from_name"
)

// excerptRunes bounds a quote's one-line excerpt.
const excerptRunes = 100

// quote is what a reply shows of the message it answers.
type quote struct {
	ID       string
	SenderID int64
	Text     string
}

// quoteOf reads the reply parameters of m; ok is false for a message that replies
// to nothing.
func quoteOf(m cache.Message) (quote, bool) {
	id := customString(m.Custom, paramReplyID)
	if id == "" {
		return quote{}, false
	}
	return quote{ID: id, SenderID: customInt(m.Custom, paramReplySender), Text: customString(m.Custom, paramReplyText)}, true
}

// replyParams are the custom parameters of a reply to orig.
func replyParams(orig cache.Message) map[string]string {
	return map[string]string{
		paramReplyID:     orig.ID,
		paramReplySender: strconv.FormatInt(orig.SenderID, 10),
		paramReplyText:   messageExcerpt(orig),
	}
}

// forwardOrigin is who wrote a forwarded message first.
type forwardOrigin struct {
	ID       string
	SenderID int64
	Name     string // the name the forwarder knew, for readers who never met the sender
}

// forwardOf reads the forward parameters of m.
func forwardOf(m cache.Message) (forwardOrigin, bool) {
	id := customString(m.Custom, paramForwardID)
	if id == "" {
		return forwardOrigin{}, false
	}
	return forwardOrigin{ID: id, SenderID: customInt(m.Custom, paramForwardSender), Name: customString(m.Custom, paramForwardName)}, true
}

// forwardParams are the custom parameters of a copy of orig. A message that was itself
// forwarded keeps naming its first author.
func forwardParams(orig cache.Message, users map[int64]cache.User) map[string]string {
	if f, ok := forwardOf(orig); ok {
		return map[string]string{paramForwardID: f.ID, paramForwardSender: strconv.FormatInt(f.SenderID, 10), paramForwardName: f.Name}
	}
	return map[string]string{
		paramForwardID:     orig.ID,
		paramForwardSender: strconv.FormatInt(orig.SenderID, 10),
		paramForwardName:   userName(orig.SenderID, users),
	}
}

// forwardedFromText is the line above a forwarded message's text.
func forwardedFromText(f forwardOrigin, users map[int64]cache.User) string {
	name := f.Name
	if u, ok := users[f.SenderID]; ok && f.SenderID != 0 {
		name = userName(u.ID, users)
	}
	if name == "" {
		name = "?"
	}
	return lang.L("Forwarded from {{.Name}}", map[string]any{"Name": name})
}

// messageExcerpt is one line of m for a quote or the pinned bar: its text with line
// breaks folded, shortened, or its first attachment's name.
func messageExcerpt(m cache.Message) string {
	text := strings.Join(strings.Fields(m.Body), " ")
	if text == "" && len(m.Attachments) > 0 {
		a := m.Attachments[0]
		if isImage(a) {
			text = "🖼 " + attachmentName(a)
		} else {
			text = "📎 " + attachmentName(a)
		}
	}
	if utf8.RuneCountInString(text) > excerptRunes {
		r := []rune(text)
		text = strings.TrimSpace(string(r[:excerptRunes-1])) + "…"
	}
	return text
}

func customString(c map[string]any, key string) string {
	switch v := c[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func customInt(c map[string]any, key string) int64 {
	switch v := c[key].(type) {
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n
	case float64:
		return int64(v)
	}
	return 0
}

// bubbleExtras is what a bubble draws of m's custom parameters: the quote of the
// message it answers and the "Forwarded from" line.
func bubbleExtras(m cache.Message, users map[int64]cache.User) (*widgets.BubbleQuote, string) {
	var q *widgets.BubbleQuote
	if r, ok := quoteOf(m); ok {
		q = &widgets.BubbleQuote{ID: r.ID, Sender: userName(r.SenderID, users), Text: r.Text}
	}
	var fwd string
	if f, ok := forwardOf(m); ok {
		fwd = forwardedFromText(f, users)
	}
	return q, fwd
}
