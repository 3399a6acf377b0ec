// Package cube is a ConnectyCube client SDK in Go: the REST API (resty) and the chat
// connection (go-xmpp). This file holds the REST wire types, shared with cubeserver.
package cube

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Dialog types as they travel on the wire (docs and Dart agree; see docs/protocol.md §3.1).
const (
	DialogBroadcast = 1
	DialogGroup     = 2
	DialogPrivate   = 3
	DialogPublic    = 4
)

// Time is a timestamp that ConnectyCube writes as ISO-8601 with second precision
// ("2018-12-05T11:58:02Z"). It also reads unix seconds, because some endpoints and
// filters use them.
type Time struct{ time.Time }

// TimeOf wraps t, truncated to whole seconds in UTC.
func TimeOf(t time.Time) Time { return Time{t.UTC().Truncate(time.Second)} }

func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(time.RFC3339) + `"`), nil
}

func (t *Time) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" || s == `""` {
		t.Time = time.Time{}
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		u, err := strconv.Unquote(s)
		if err != nil {
			return err
		}
		s = u
	}
	parsed, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = parsed
	return nil
}

// ParseTime reads unix seconds (or milliseconds, when the number is too big to be
// seconds) or an ISO-8601 / RFC 3339 timestamp.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	// A date (dddd-dd-…) is no number: skipping ParseFloat spares the error it
	// would allocate, twice per message of every page read (docs/benchmarks.md,
	// issue 10, round 3). A number never has a '-' at both 4 and 7.
	if date := len(s) >= 8 && s[4] == '-' && s[7] == '-'; !date {
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			// NaN, ±Inf and huge numbers do not fit int64 (the conversion is undefined);
			// the range check below refuses what does fit but cannot be written back.
			if math.IsNaN(n) || math.Abs(n) >= math.MaxInt64 {
				return time.Time{}, fmt.Errorf("cube: time %q is out of range", s)
			}
			return inWritableRange(s, UnixAny(int64(n)))
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05 MST", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return inWritableRange(s, t.UTC())
		}
	}
	return time.Time{}, fmt.Errorf("cube: cannot read time %q", s)
}

// inWritableRange refuses times outside the years 0000–9999, which ISO-8601 (and so
// Time's JSON form) cannot write: accepting them would store a time that no client
// could read back.
func inWritableRange(s string, t time.Time) (time.Time, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		return time.Time{}, fmt.Errorf("cube: time %q is out of range", s)
	}
	return t, nil
}

// UnixAny turns unix seconds into a time; values past the year 5000 in seconds are
// taken as milliseconds (the Dart SDK sends date_sent in milliseconds).
func UnixAny(n int64) time.Time {
	if n > 100_000_000_000 {
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}

// User is a ConnectyCube user (the flat form of users/v2; v1 wraps it as {"user":{…}}).
type User struct {
	ID             int64  `json:"id"`
	Login          string `json:"login,omitempty"`
	Email          string `json:"email,omitempty"`
	FullName       string `json:"full_name,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Website        string `json:"website,omitempty"`
	ExternalUserID int64  `json:"external_user_id,omitempty"`
	BlobID         int64  `json:"blob_id,omitempty"`
	Avatar         string `json:"avatar,omitempty"`
	CustomData     string `json:"custom_data,omitempty"`
	UserTags       string `json:"user_tags,omitempty"`
	Timezone       int    `json:"timezone,omitempty"`
	IsGuest        bool   `json:"is_guest,omitempty"`
	CreatedAt      Time   `json:"created_at"`
	UpdatedAt      Time   `json:"updated_at"`
	LastRequestAt  Time   `json:"last_request_at"`
	// Password is only sent (sign-up, update); the server never returns it.
	Password    string `json:"password,omitempty"`
	OldPassword string `json:"old_password,omitempty"`
}

// Session is the answer of POST /session. UserID is 0 for an application session.
type Session struct {
	ID            int64  `json:"id"`
	UserID        int64  `json:"user_id"`
	ApplicationID int64  `json:"application_id"`
	Token         string `json:"token"`
	TS            int64  `json:"ts"`
	CreatedAt     Time   `json:"created_at"`
	UpdatedAt     Time   `json:"updated_at"`
	User          *User  `json:"user,omitempty"`
}

// DialogPermissions are a dialog's preview rights.
type DialogPermissions struct {
	AllowPreview bool `json:"allow_preview"`
}

// Dialog is a chat dialog (docs/protocol.md §3.2). Fields that the server may send as null
// are pointers.
type Dialog struct {
	ID                  string             `json:"_id"`
	UserID              int64              `json:"user_id"`
	Type                int                `json:"type"`
	Name                string             `json:"name"`
	Description         string             `json:"description,omitempty"`
	Photo               *string            `json:"photo"`
	XMPPRoomJID         *string            `json:"xmpp_room_jid"`
	OccupantsIDs        []int64            `json:"occupants_ids"`
	OccupantsCount      *int               `json:"occupants_count"`
	AdminsIDs           []int64            `json:"admins_ids"`
	PinnedMessagesIDs   []string           `json:"pinned_messages_ids"`
	LastMessage         *string            `json:"last_message"`
	LastMessageID       *string            `json:"last_message_id"`
	LastMessageDateSent *int64             `json:"last_message_date_sent"`
	LastMessageUserID   *int64             `json:"last_message_user_id"`
	LastMessageStatus   *string            `json:"last_message_status"`
	UnreadMessagesCount *int               `json:"unread_messages_count"`
	Extensions          map[string]string  `json:"extensions,omitempty"`
	Permissions         *DialogPermissions `json:"permissions,omitempty"`
	CreatedAt           Time               `json:"created_at"`
	UpdatedAt           Time               `json:"updated_at"`
}

// Attachment describes a file or other payload carried by a message. In XMPP each field
// is an attribute of <attachment/> (see stanza.go); in JSON the same names are keys.
type Attachment struct {
	Type        string `json:"type,omitempty" xml:"type,attr,omitempty"`
	ID          string `json:"id,omitempty" xml:"id,attr,omitempty"`
	UID         string `json:"uid,omitempty" xml:"uid,attr,omitempty"`
	URL         string `json:"url,omitempty" xml:"url,attr,omitempty"`
	Name        string `json:"name,omitempty" xml:"name,attr,omitempty"`
	Size        int64  `json:"size,omitempty" xml:"size,attr,omitempty"`
	Width       int    `json:"width,omitempty" xml:"width,attr,omitempty"`
	Height      int    `json:"height,omitempty" xml:"height,attr,omitempty"`
	Duration    int    `json:"duration,omitempty" xml:"duration,attr,omitempty"`
	ContentType string `json:"content-type,omitempty" xml:"content-type,attr,omitempty"`
	Data        string `json:"data,omitempty" xml:"data,attr,omitempty"`
}

// Reactions as embedded in a message: the requesting user's own and the totals.
type Reactions struct {
	Own   []string       `json:"own"`
	Total map[string]int `json:"total"`
}

// Message is a stored chat message (docs/protocol.md §4.1). Custom parameters travel as
// extra top-level keys; they are kept in Custom.
type Message struct {
	ID           string         `json:"_id"`
	ChatDialogID string         `json:"chat_dialog_id"`
	Message      string         `json:"message"`
	DateSent     int64          `json:"date_sent"`
	SenderID     int64          `json:"sender_id"`
	RecipientID  int64          `json:"recipient_id"`
	ReadIDs      []int64        `json:"read_ids"`
	DeliveredIDs []int64        `json:"delivered_ids"`
	ViewsCount   int            `json:"views_count"`
	Read         int            `json:"read"`
	Attachments  []Attachment   `json:"attachments"`
	Reactions    *Reactions     `json:"reactions"`
	CreatedAt    Time           `json:"created_at"`
	UpdatedAt    Time           `json:"updated_at"`
	Deleted      bool           `json:"deleted,omitempty"` // tombstone of a delete for everyone (cubeserver, updated_at queries only)
	Custom       map[string]any `json:"-"`
}

// messageKnownKeys are the JSON keys of Message that are not custom parameters.
var messageKnownKeys = map[string]bool{
	"_id": true, "chat_dialog_id": true, "message": true, "date_sent": true, "sender_id": true,
	"recipient_id": true, "read_ids": true, "delivered_ids": true, "views_count": true,
	"read": true, "attachments": true, "reactions": true, "created_at": true, "updated_at": true,
	"deleted": true,
}

type messageAlias Message

// MarshalJSON writes the known fields and flattens Custom into the top level.
func (m Message) MarshalJSON() ([]byte, error) {
	if m.Attachments == nil {
		m.Attachments = []Attachment{}
	}
	if m.ReadIDs == nil {
		m.ReadIDs = []int64{}
	}
	if m.DeliveredIDs == nil {
		m.DeliveredIDs = []int64{}
	}
	base, err := marshalJSON(messageAlias(m))
	if err != nil || len(m.Custom) == 0 {
		return base, err
	}
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal(base, &fields); err != nil {
		return nil, err
	}
	for k, v := range m.Custom {
		if messageKnownKeys[k] {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		fields[k] = raw
	}
	return json.Marshal(fields)
}

// UnmarshalJSON reads the known fields and keeps every other key in Custom.
func (m *Message) UnmarshalJSON(b []byte) error {
	var a messageAlias
	if err := unmarshalJSON(b, &a); err != nil {
		return err
	}
	if !hasUnknownKey(b, messageKnownKeys) {
		*m = Message(a)
		return nil
	}
	var all map[string]any
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for k, v := range all {
		if messageKnownKeys[k] {
			continue
		}
		if a.Custom == nil {
			a.Custom = map[string]any{}
		}
		a.Custom[k] = v
	}
	*m = Message(a)
	return nil
}

// BlobObjectAccess is the presigned upload form (params) or download URL of a blob.
type BlobObjectAccess struct {
	ID               int64  `json:"id"`
	BlobID           int64  `json:"blob_id"`
	Expires          Time   `json:"expires"`
	ObjectAccessType string `json:"object_access_type"`
	Params           string `json:"params,omitempty"`
	DownloadURL      string `json:"download_url,omitempty"`
	DowloadURL       string `json:"dowload_url,omitempty"` // the docs' spelling, kept for compatibility
}

// Blob is a stored file (docs/protocol.md §7).
type Blob struct {
	ID               int64             `json:"id"`
	UID              string            `json:"uid"`
	ContentType      string            `json:"content_type"`
	Name             string            `json:"name"`
	Size             int64             `json:"size"`
	Public           bool              `json:"public"`
	BlobStatus       *string           `json:"blob_status"`
	SetCompletedAt   *Time             `json:"set_completed_at"`
	CreatedAt        Time              `json:"created_at"`
	UpdatedAt        Time              `json:"updated_at"`
	BlobObjectAccess *BlobObjectAccess `json:"blob_object_access,omitempty"`
}

// DialogList is the paged answer of GET /chat/Dialog.
type DialogList struct {
	TotalEntries int      `json:"total_entries"`
	Skip         int      `json:"skip"`
	Limit        int      `json:"limit"`
	Items        []Dialog `json:"items"`
	// ServerTime is the server's clock when it answered (its HTTP Date header, whole
	// seconds; zero when it sent none).
	ServerTime time.Time `json:"-"`
}

// MessageList is the paged answer of GET /chat/Message (it has no total_entries).
type MessageList struct {
	Skip  int       `json:"skip"`
	Limit int       `json:"limit"`
	Items []Message `json:"items"`
}

// UserList is the paged answer of GET /users/v2.
type UserList struct {
	Limit        int    `json:"limit"`
	Skip         int    `json:"skip"`
	TotalEntries int    `json:"total_entries"`
	Items        []User `json:"items"`
}

// CountResult is the answer of list endpoints called with count=1: {"items":{"count":N}}.
type CountResult struct {
	Items struct {
		Count int `json:"count"`
	} `json:"items"`
}

// BulkDeleteResult is the answer of a multi-id delete of dialogs or messages.
type BulkDeleteResult struct {
	SuccessfullyDeleted IDList `json:"SuccessfullyDeleted"`
	NotFound            IDList `json:"NotFound"`
	WrongPermissions    IDList `json:"WrongPermissions"`
}

// IDList is {"ids":[…]}.
type IDList struct {
	IDs []string `json:"ids"`
}
