package cache

import (
	"fmt"
	"slices"
	"time"
)

// Account is the signed-in user of this cache file.
type Account struct {
	UserID   int64
	Login    string
	FullName string
	Profile  string // JSON of the server profile
}

// User is a cached profile of another user (or of ourselves). LastSeen and
// Online come from the chat connection (SetLastActivity), not from profiles:
// UpsertUsers neither needs nor changes them.
type User struct {
	ID            int64
	Login         string
	FullName      string
	Avatar        string // the avatar: a blob uid or a URL, as the server has it
	BlobID        int64  // the avatar's blob id, when set through the storage API
	Email         string
	Phone         string
	Website       string
	CustomData    string
	LastRequestAt time.Time // the server's last API request of this user
	UpdatedAt     time.Time
	LastSeen      time.Time // last activity; zero = never learned
	Online        bool      // the last activity answer said "active now" (0 seconds)
}

// Dialog is a cached chat dialog. The fields below UpdatedAt are not part of a
// server copy: UpsertDialogs keeps their stored values (see mergeDialog), and
// each has its own setter.
type Dialog struct {
	ID                string
	Type              int
	Name              string
	Description       string
	Photo             string
	OwnerID           int64
	OccupantIDs       []int64
	OccupantsCount    int // public dialogs (type 4) list no occupants, only their number
	AdminIDs          []int64
	PinnedMessageIDs  []string
	Extensions        map[string]string
	AllowPreview      bool // permissions.allow_preview
	LastMessage       string
	LastMessageID     string
	LastMessageAt     time.Time
	LastMessageUserID int64
	UnreadCount       int
	UpdatedAt         time.Time

	Muted                bool // local only (SetMuted)
	Subscribed           bool // public dialog the user joined: a server copy can set it, only SetSubscribed clears it
	NotificationsEnabled bool // the server-side push setting (SetNotificationsEnabled); true for a new dialog
	Hidden               bool // "deleted for me" (SetHidden); a newer message shows the dialog again

	hiddenAt int64 // unix ms of the newest message when hidden; see SetHidden
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

	DeliveredIDs []int64            // users who received it (kept sorted; markers only add)
	ReadIDs      []int64            // users who read it (a read implies delivered)
	Reactions    map[string][]int64 // emoji → user ids (sorted); see SetReactions, ApplyReaction
	Silent       bool               // sent without a push notification
	EditPending  bool               // local only: Body is a queued edit the server has not confirmed

	// Arrival is the message's place (1 first) among its dialog's messages with the
	// same SentAt, in the order the server stored them (cache/arrival.go). The
	// cache sets it; writes ignore it. History orders by (SentAt, Arrival, ID).
	Arrival int
}

// Edited tells whether the message was changed after it was sent.
func (m Message) Edited() bool { return !m.EditedAt.IsZero() }

// ReactionCounts is the number of users per reaction.
func (m Message) ReactionCounts() map[string]int {
	if len(m.Reactions) == 0 {
		return nil
	}
	out := make(map[string]int, len(m.Reactions))
	for emoji, users := range m.Reactions {
		out[emoji] = len(users)
	}
	return out
}

// ReactionsOf lists, sorted, the reactions userID has given to the message ("mine").
func (m Message) ReactionsOf(userID int64) []string {
	var out []string
	for emoji, users := range m.Reactions {
		if slices.Contains(users, userID) {
			out = append(out, emoji)
		}
	}
	slices.Sort(out)
	return out
}

// Attachment is a file or other payload carried by a message. LocalPath and
// Download belong to this machine's attachment cache: server copies of the
// message keep them (matched by UID).
type Attachment struct {
	Type        string        `json:"type,omitempty"`
	ID          string        `json:"id,omitempty"` // the blob id, when the sender gave it
	UID         string        `json:"uid,omitempty"`
	URL         string        `json:"url,omitempty"`
	Name        string        `json:"name,omitempty"`
	ContentType string        `json:"content_type,omitempty"`
	Size        int64         `json:"size,omitempty"`
	Width       int           `json:"width,omitempty"`
	Height      int           `json:"height,omitempty"`
	Duration    int           `json:"duration,omitempty"` // seconds, for audio and video
	Data        string        `json:"data,omitempty"`     // inline payload (e.g. a location)
	LocalPath   string        `json:"local_path,omitempty"`
	Download    DownloadState `json:"download,omitempty"`
}

// DownloadState is where an attachment is in the local attachment cache.
type DownloadState string

// The download states; "" means not downloaded and not being downloaded.
const (
	DownloadNone    DownloadState = ""
	DownloadRunning DownloadState = "downloading"
	DownloadDone    DownloadState = "done" // LocalPath holds the file
	DownloadFailed  DownloadState = "failed"
)

// Valid tells whether s is one of the download states.
func (s DownloadState) Valid() bool {
	switch s {
	case DownloadNone, DownloadRunning, DownloadDone, DownloadFailed:
		return true
	}
	return false
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
