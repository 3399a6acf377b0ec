package cube

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"

	"github.com/xmppo/go-xmpp"
)

// lastQuery is XEP-0012's <query xmlns="jabber:iq:last" seconds="N"/>.
type lastQuery struct {
	XMLName xml.Name `xml:"jabber:iq:last query"`
	Seconds string   `xml:"seconds,attr,omitempty"`
}

// statusStreamingElem is ConnectyCube's subscription to a user's last activity.
type statusStreamingElem struct {
	XMLName xml.Name `xml:"https://connectycube.com/protocol/status_streaming subscribe"`
	UserJID string   `xml:"user_jid,attr"`
	Enable  string   `xml:"enable,attr"`
}

// LastActivity asks how many seconds ago a user was last online (0 = online now).
func (c *Chat) LastActivity(ctx context.Context, userID int64) (int64, error) {
	if userID <= 0 {
		return 0, errors.New("cube: a user id is required")
	}
	iq, err := c.requestIQ(ctx, "get", UserJID(userID, c.cfg.AppID, c.cfg.ChatDomain), lastQuery{})
	if err != nil {
		return 0, err
	}
	var q lastQuery
	if err := decodeIQPayload(iq, &q); err != nil {
		return 0, err
	}
	secs, err := strconv.ParseInt(q.Seconds, 10, 64)
	if err != nil || secs < 0 {
		return 0, fmt.Errorf("cube: unreadable last activity %q", q.Seconds)
	}
	return secs, nil
}

// SubscribeLastActivity asks the server to push LastActivityEvents for a user (or to
// stop, with enable false).
func (c *Chat) SubscribeLastActivity(ctx context.Context, userID int64, enable bool) error {
	if userID <= 0 {
		return errors.New("cube: a user id is required")
	}
	_, err := c.requestIQ(ctx, "set", "", statusStreamingElem{
		UserJID: UserJID(userID, c.cfg.AppID, c.cfg.ChatDomain), Enable: strconv.FormatBool(enable)})
	return err
}

// lastActivityPush reads an unsolicited IQ as SDK 6 does: a from and a last-activity
// <query/> (the jabber:iq:last namespace, or any query with a seconds attribute).
func lastActivityPush(iq xmpp.IQ) (LastActivityEvent, bool) {
	userID, ok := UserIDFromJID(iq.From)
	if !ok || len(iq.Query) == 0 {
		return LastActivityEvent{}, false
	}
	var q struct {
		XMLName xml.Name
		Seconds *string `xml:"seconds,attr"`
	}
	if err := decodeIQPayload(iq, &q); err != nil || q.XMLName.Local != "query" {
		return LastActivityEvent{}, false
	}
	if q.XMLName.Space != NSLast && q.Seconds == nil {
		return LastActivityEvent{}, false
	}
	var secs int64
	if q.Seconds != nil {
		n, err := strconv.ParseInt(*q.Seconds, 10, 64)
		if err != nil || n < 0 {
			return LastActivityEvent{}, false
		}
		secs = n
	}
	return LastActivityEvent{UserID: userID, Seconds: secs}, true
}

// decodeIQPayload reads the child go-xmpp kept of an IQ. go-xmpp re-marshals it from
// its generic element and so writes the xmlns attribute twice; encoding/xml reads
// that, but a stricter reading is not needed here.
func decodeIQPayload(iq xmpp.IQ, v any) error {
	if len(bytes.TrimSpace(iq.Query)) == 0 {
		return fmt.Errorf("cube: iq %s has no payload", iq.ID)
	}
	if err := xml.Unmarshal(iq.Query, v); err != nil {
		return fmt.Errorf("cube: unreadable iq %s payload: %w", iq.ID, err)
	}
	return nil
}

// requestIQ runs an IQ on the current connection and returns the answer.
func (c *Chat) requestIQ(ctx context.Context, typ, to string, payload any) (xmpp.IQ, error) {
	cc := c.current()
	if cc == nil {
		return xmpp.IQ{}, ErrNotConnected
	}
	return cc.request(ctx, typ, to, payload, c.opts.PingTimeout)
}
