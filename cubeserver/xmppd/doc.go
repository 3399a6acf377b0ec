// Package xmppd is the XMPP half of cubeserver: ConnectyCube's chat dialect
// (protocol.md §8–§9) over TCP with STARTTLS or direct TLS.
//
// A connection goes: stream header → features → STARTTLS (required on plain TCP
// unless Config.AllowPlain) → SASL PLAIN (authcid "{uid}-{appId}", optional authzid
// of the same bare JID, password or session token via Backend.CheckChatPassword) →
// stream restart → resource bind. The stream logic reads and writes whole elements
// through the framing interface, so RFC 7395 WebSocket framing can reuse it.
//
// Routing, all from the authenticated JID (a client's from is ignored):
//   - type="chat" content: dialog from extraParams dialog_id (must be the pair's
//     private dialog) or FindOrCreatePrivateDialog; dialog_id and date_sent (unix
//     seconds) completed; stored when save_to_history=1 (a repeated id is neither
//     stored nor relayed again); relayed to every online resource of the recipient
//     with <sent/> carbons to the sender's other resources that enabled carbons; if
//     the recipient is offline it is queued with a <delay/> stamp.
//   - type="groupchat" to {appId}_{dialogId}@muc.{domain}: occupants only (else
//     forbidden/403); stored as above with recipient 0; fanned out from
//     {room}/{senderId} to every online occupant resource, the sender's included
//     (echo), typing excepted. Offline occupants catch up over REST.
//   - Typing, markers, edits, deletes and reactions are relayed, never stored or
//     queued; headlines (system messages) are relayed user to user.
//   - Unknown users or dialogs bounce as type="error" with item-not-found/404.
//
// Offline queue rule: a session flushes the queue once, in order and as one write,
// when it sends initial presence, or OfflineFlushDelay (1 s) after bind if it never
// does. A per-user lock makes "recipient offline → queue" atomic with that flush.
//
// Each bound connection has one writer goroutine behind a bounded queue; routing
// never blocks on a slow client, and a client whose queue overflows is dropped.
package xmppd
