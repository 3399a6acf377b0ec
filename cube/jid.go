package cube

import (
	"strconv"
	"strings"
)

// UserJID is {userID}-{appID}@{domain}.
func UserJID(userID, appID int64, domain string) string {
	return strconv.FormatInt(userID, 10) + "-" + strconv.FormatInt(appID, 10) + "@" + domain
}

// RoomJID is {appID}_{dialogID}@muc.{domain}.
func RoomJID(appID int64, dialogID, domain string) string {
	return strconv.FormatInt(appID, 10) + "_" + dialogID + "@muc." + domain
}

// BareJID strips the resource.
func BareJID(jid string) string {
	if i := strings.IndexByte(jid, '/'); i >= 0 {
		return jid[:i]
	}
	return jid
}

// JIDResource returns the resource part, or "".
func JIDResource(jid string) string {
	if i := strings.IndexByte(jid, '/'); i >= 0 {
		return jid[i+1:]
	}
	return ""
}

// JIDLocal returns the local part (before @), or "".
func JIDLocal(jid string) string {
	bare := BareJID(jid)
	if i := strings.IndexByte(bare, '@'); i >= 0 {
		return bare[:i]
	}
	return ""
}

// JIDDomain returns the domain part.
func JIDDomain(jid string) string {
	bare := BareJID(jid)
	if i := strings.IndexByte(bare, '@'); i >= 0 {
		return bare[i+1:]
	}
	return bare
}

// UserIDFromJID reads the user id of {userID}-{appID}@… (false if it is not one).
func UserIDFromJID(jid string) (int64, bool) {
	local := JIDLocal(jid)
	if i := strings.IndexByte(local, '-'); i >= 0 {
		local = local[:i]
	}
	id, err := strconv.ParseInt(local, 10, 64)
	return id, err == nil && id > 0
}

// IsRoomJID tells whether jid is on a muc. domain.
func IsRoomJID(jid string) bool {
	return strings.HasPrefix(JIDDomain(jid), "muc.")
}

// DialogIDFromRoomJID reads the dialog id of {appID}_{dialogID}@muc.….
func DialogIDFromRoomJID(jid string) string {
	local := JIDLocal(jid)
	if i := strings.IndexByte(local, '_'); i >= 0 {
		return local[i+1:]
	}
	return ""
}

// SenderIDFromRoomJID reads the occupant's user id from {room}/{userID}.
func SenderIDFromRoomJID(jid string) (int64, bool) {
	id, err := strconv.ParseInt(JIDResource(jid), 10, 64)
	return id, err == nil && id > 0
}
