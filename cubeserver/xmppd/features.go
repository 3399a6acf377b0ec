package xmppd

import "github.com/cubechat/cubechat/cube"

// What each kind of entity of this server supports, as its service discovery answer
// (XEP-0030, disco.go) advertises it. These tables are the one place to say that a
// protocol is served: add its namespace here when it is implemented, and only then.

// nsDiscoInfo is XEP-0030's information query (cube.NSDiscoItems is its items query).
const nsDiscoInfo = "http://jabber.org/protocol/disco#info"

// serverFeatures are the features of the server itself (to="{domain}").
var serverFeatures = []string{
	nsDiscoInfo,       // XEP-0030 (disco.go)
	cube.NSDiscoItems, // XEP-0030: the server's items are its MUC service
	cube.NSCarbons,    // XEP-0280 message carbons; §4 requires advertising them (carbons.go)
	cube.NSPing,       // XEP-0199 (iq.go)
	cube.NSLast,       // XEP-0012, of the server and of its users (lastactivity.go)
	cube.NSPrivacy,    // XEP-0016 privacy lists (privacy.go, privacy_iq.go)
	nsSM,              // XEP-0198 stream management, also a stream feature (sm.go)
	"msgoffline",      // XEP-0160: 1-1 messages to offline users are stored and delivered at login
}

// mucFeatures are the features of the MUC service (muc.{domain}) and of its rooms:
// groupchat to occupants, join presence, online occupants as room items (group.go,
// room_online.go).
var mucFeatures = []string{nsDiscoInfo, cube.NSDiscoItems, cube.NSMUC}

// accountFeatures are what the server answers on behalf of a user's bare JID
// (iq_route.go).
var accountFeatures = []string{nsDiscoInfo, cube.NSDiscoItems, cube.NSLast, cube.NSPing}
