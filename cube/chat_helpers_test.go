package cube

import "github.com/xmppo/go-xmpp"

func xmppIQ(id string) xmpp.IQ { return xmpp.IQ{ID: id, Type: "result"} }

func (t *iqTable) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.pending)
}
