package cube

// MarkerKind says which chat marker a MarkerEvent carries.
type MarkerKind int

const (
	MarkerDelivered MarkerKind = iota + 1 // <received/>: the message reached a device
	MarkerRead                            // <displayed/>: the user saw it
)

func (k MarkerKind) String() string {
	switch k {
	case MarkerDelivered:
		return "delivered"
	case MarkerRead:
		return "read"
	}
	return "unknown"
}

// TypingEvent: a user started (Typing) or stopped typing. DialogID is set for group
// dialogs (from the room) and empty for private ones, whose typing carries no dialog.
type TypingEvent struct {
	DialogID string
	UserID   int64
	Typing   bool
}

// MarkerEvent: UserID received or read the message MessageID (which that user got
// from us, or, on a carbon, which we got and read on another device).
type MarkerEvent struct {
	Kind      MarkerKind
	MessageID string
	DialogID  string
	UserID    int64
}

// EditEvent: UserID replaced the text of MessageID with Body. Last says whether it was
// the newest message of the dialog; Extra holds every extraParams value.
type EditEvent struct {
	MessageID string
	DialogID  string
	UserID    int64
	Body      string
	Last      bool
	Extra     map[string]any
}

// DeleteEvent: UserID (or the server, after a forced REST delete) removed MessageID.
type DeleteEvent struct {
	MessageID string
	DialogID  string
	UserID    int64
}

// ReactionEvent: UserID added and/or removed reactions on MessageID.
type ReactionEvent struct {
	MessageID   string
	DialogID    string
	UserID      int64
	Add, Remove []string
}

// SystemMessageEvent is a system message (headline, moduleIdentifier
// SystemNotifications) from a user or the server; Params excludes moduleIdentifier.
type SystemMessageEvent struct {
	ID     string
	From   int64
	Body   string
	Params map[string]any
}

// MessageErrorEvent: a message we sent (ID) bounced, e.g. 503 when the recipient
// blocked us. Code is the legacy code attribute, or derived from Condition.
type MessageErrorEvent struct {
	ID        string
	Code      int
	Condition string
	Text      string
}

// LastActivityEvent is a pushed last-activity update for a user we subscribed to
// (SubscribeLastActivity): Seconds since the user was last online, 0 = online now.
type LastActivityEvent struct {
	UserID  int64
	Seconds int64
}

func (TypingEvent) isChatEvent()        {}
func (MarkerEvent) isChatEvent()        {}
func (EditEvent) isChatEvent()          {}
func (DeleteEvent) isChatEvent()        {}
func (ReactionEvent) isChatEvent()      {}
func (SystemMessageEvent) isChatEvent() {}
func (MessageErrorEvent) isChatEvent()  {}
func (LastActivityEvent) isChatEvent()  {}
