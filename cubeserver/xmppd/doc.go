// Package xmppd is the XMPP half of cubeserver: ConnectyCube's chat dialect
// (docs/protocol.md §8–§9) over TCP with STARTTLS or direct TLS, and over WebSocket
// (RFC 7395, websocket.go), the JS SDK's default transport.
//
// A connection goes: stream header → features → STARTTLS (required on plain TCP
// unless Config.AllowPlain; never over WebSocket) → SASL PLAIN (authcid
// "{uid}-{appId}", optional authzid of the same bare JID, password or session token
// via Backend.CheckChatPassword) → stream restart → resource bind. The stream logic
// reads and writes whole elements through the framing interface (framing.go for TCP,
// websocket.go for one element per frame).
//
// Routing, all from the authenticated JID (a client's from is ignored):
//   - type="chat" content: privacy first (privacy.go; a blocked message bounces with
//     503 service-unavailable and is not stored), then the dialog from extraParams
//     dialog_id (must be the pair's private dialog) or FindOrCreatePrivateDialog;
//     dialog_id and date_sent (unix seconds) completed; stored when save_to_history=1
//     (a repeated id is neither stored nor relayed again); relayed to every online
//     resource of the recipient that accepts it, with <sent/> carbons to the sender's
//     other resources that enabled carbons; queued with a <delay/> stamp when the
//     recipient is offline; chat alerts recorded (alerts.go).
//   - type="groupchat" to {appId}_{dialogId}@muc.{domain}: occupants only (else
//     forbidden/403; in broadcast dialogs owner and admins only); stored as above with
//     recipient 0; fanned out from {room}/{senderId} to every online occupant resource
//     whose privacy list accepts it, the sender's included (echo), typing excepted.
//     Offline occupants catch up over REST.
//   - Signals (signals.go): typing, markers, edits, deletes and reactions are relayed,
//     never stored as messages or queued; <replace/> and <remove/> of a stored message
//     edit or delete it (sender only; group owner/admins may delete), markers update
//     delivered/read state. Headlines (system messages) are relayed user to user.
//   - Unknown dialogs and other domains bounce as type="error" with
//     item-not-found/404; an account of this domain that does not exist with
//     service-unavailable/503 and the text cube.ErrTextNoSuchUser (RFC 6121 §8.5.1;
//     headlines to it are dropped). A normal message with a body is queued for an
//     offline user like chat.
//   - Children the server does not model are relayed untouched (children.go).
//
// IQs (iq.go): ping, carbons, mobile#v2 active/inactive, privacy lists
// (privacy_iq.go), last activity and status_streaming subscriptions
// (lastactivity.go), service discovery (disco.go, features.go); IQs to other users'
// resources are routed (iq_route.go). REST reuses the fan-out through DeliverToDialog (deliver.go)
// and the alert rule through AlertRecipients.
//
// Presence: a resource's broadcast presence reaches the user's other available
// resources and theirs reach it (own_presence.go); presence to a room is a MUC join.
//
// Offline queue rule: a session flushes the queue once, in order and as one write,
// when it sends initial presence, or OfflineFlushDelay (1 s) after bind if it never
// does. A per-user lock makes "recipient offline → queue" atomic with that flush.
//
// Stream management (XEP-0198, sm.go, sm_resume.go): <sm/> is offered after SASL;
// <enable/> turns on counting, <r/>/<a h/> acknowledgements and the unacknowledged
// queue; with resume="true" a dropped session waits Config.ResumeWindow (60 s) for
// <resume/>, then hands unacknowledged chat messages to the offline queue.
//
// Each bound connection has one writer goroutine behind a bounded queue; routing
// never blocks on a slow client, and a client whose queue overflows is dropped.
package xmppd
