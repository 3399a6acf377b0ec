package xmppd

import "sync"

// What the REST side asks of the chat server about accounts (docs/protocol.md §2.5):
// who is online (GET /users/online), and ending a user's streams when their
// credentials change or their account is deleted.

// OnlineUserIDs lists the users with at least one bound resource, in id order.
func (s *Server) OnlineUserIDs() []int64 {
	return s.reg.onlineUserIDs()
}

// CredentialsRevoked ends every stream of the user with <reset/> (RFC 6120 §4.9.3:
// a transient condition, so clients connect again and must authenticate anew; those
// holding only the old password or an ended token cannot). It returns when the
// goodbyes are written or their connections abandoned.
func (s *Server) CredentialsRevoked(userID int64) {
	s.endStreams(userID, condReset, "the account's password changed; sign in again")
}

// AccountDeleted ends every stream of the user with <not-authorized/>, which clients
// take as final (no reconnection).
func (s *Server) AccountDeleted(userID int64) {
	s.endStreams(userID, condNotAuthorized, "the account was deleted")
}

func (s *Server) endStreams(userID int64, cond, text string) {
	sessions := s.reg.sessions(userID)
	var wg sync.WaitGroup
	for _, sess := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sess.mu.Lock()
			l := sess.link
			sess.mu.Unlock()
			if l == nil { // detached, waiting for a resumption that must not happen now
				s.endDetached(sess)
				return
			}
			l.c.endStream(cond, text)
		}()
	}
	wg.Wait()
	if len(sessions) > 0 {
		s.log.Info("xmpp streams ended", "user", userID, "condition", cond, "streams", len(sessions))
	}
}
