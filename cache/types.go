package cache

import (
	"fmt"
	"time"
)

// Account is the signed-in user of this cache file.
type Account struct {
	UserID   int64
	Login    string
	FullName string
	Profile  string // JSON of the server profile
}

// User is a cached profile of another user (or of ourselves).
type User struct {
	ID        int64
	Login     string
	FullName  string
	Avatar    string
	UpdatedAt time.Time
}

// Dialog is a cached chat dialog. Muted is local only; UpsertDialogs keeps it.
type Dialog struct {
	ID                string
	Type              int
	Name              string
	Photo             string
	OwnerID           int64
	OccupantIDs       []int64
	AdminIDs          []int64
	LastMessage       string
	LastMessageID     string
	LastMessageAt     time.Time
	LastMessageUserID int64
	UnreadCount       int
	Muted             bool
	UpdatedAt         time.Time
}

// MessageState is where a message is in its life: pending → sent → delivered → read,
// or failed (only from pending).
type MessageState string

// The message states. The zero value "" is read as StateSent by UpsertMessages,
// because a copy that comes from the server has been sent by definition.
const (
	StatePending   MessageState = "pending"
	StateSent      MessageState = "sent"
	StateDelivered MessageState = "delivered"
	StateRead      MessageState = "read"
	StateFailed    MessageState = "failed"
)

// Valid tells whether s is one of the five states.
func (s MessageState) Valid() bool {
	switch s {
	case StatePending, StateSent, StateDelivered, StateRead, StateFailed:
		return true
	}
	return false
}

// Confirmed tells whether the server has the message (sent, delivered or read).
func (s MessageState) Confirmed() bool {
	return s == StateSent || s == StateDelivered || s == StateRead
}

// Message is a cached chat message. Times have millisecond precision in the cache.
// Custom values come back as JSON types (numbers are float64).
type Message struct {
	ID          string
	DialogID    string
	SenderID    int64
	RecipientID int64
	Body        string
	SentAt      time.Time
	State       MessageState
	Attachments []Attachment
	Custom      map[string]any
	EditedAt    time.Time
	Deleted     bool
	LastError   string // local only: why the last send failed
}

// Attachment is a file or other payload carried by a message.
type Attachment struct {
	Type        string `json:"type,omitempty"`
	UID         string `json:"uid,omitempty"`
	URL         string `json:"url,omitempty"`
	Name        string `json:"name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
}

// Gap is a range of a dialog's history known to be missing from the cache:
// messages with From <= SentAt <= To may exist on the server but not here.
type Gap struct {
	DialogID string
	From, To time.Time
}

// validateMessage rejects a message that cannot be stored without losing track of it.
func validateMessage(m Message) error {
	if m.ID == "" {
		return fmt.Errorf("cache: message has no id (dialog %q)", m.DialogID)
	}
	if m.DialogID == "" {
		return fmt.Errorf("cache: message %s has no dialog id", m.ID)
	}
	if m.State != "" && !m.State.Valid() {
		return fmt.Errorf("cache: message %s has unknown state %q", m.ID, m.State)
	}
	return nil
}
