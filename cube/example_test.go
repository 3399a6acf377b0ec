package cube_test

// Runnable usage of the SDK, checked by `go test` against an in-process cubeserver
// (example_server_test.go). Names like alice and bob are fresh users of that server.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cube"
)

// Sessions: sign in with a login and password, check the session, sign out.
func ExampleClient_CreateSession() {
	ctx := context.Background()
	alice, password := exampleUser("Alice")

	client := cube.NewClient(exampleConfig())                     // cube.Config{AppID, AuthKey, APIURL, ChatHost, …}
	sess, err := client.CreateSession(ctx, alice.Login, password) // keeps the token
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in as the right user:", sess.UserID == alice.ID, "token kept:", client.Token() == sess.Token)

	again, err := client.GetSession(ctx) // GET /session
	fmt.Println("same session:", err == nil && again.Token == sess.Token)

	_ = client.Logout(ctx)        // DELETE /login: the token becomes an application session
	_ = client.DeleteSession(ctx) // DELETE /session: the token is gone
	_, err = client.GetSession(ctx)
	fmt.Println("expired after delete:", cube.IsSessionExpired(err))
	// Output:
	// signed in as the right user: true token kept: true
	// same session: true
	// expired after delete: true
}

// Users: sign up (the auth key authorises it when there is no session), then fetch by id.
func ExampleClient_SignUp() {
	ctx := context.Background()
	me, _ := signedIn("Me")

	anon := cube.NewClient(exampleConfig())
	login := fmt.Sprintf("carol%d", me.ID)
	carol, err := anon.SignUp(ctx, cube.User{Login: login, Password: "carolpass1", FullName: "Carol"})
	if err != nil {
		fmt.Println(err)
		return
	}
	client := cube.NewClient(exampleConfig())
	if _, err := client.CreateSession(ctx, login, "carolpass1"); err != nil {
		fmt.Println(err)
		return
	}
	users, err := client.UsersByIDs(ctx, []int64{carol.ID, me.ID}) // pages of 100 ids
	if err != nil {
		fmt.Println(err)
		return
	}
	var names []string
	for _, u := range users {
		names = append(names, u.FullName)
	}
	slices.Sort(names)
	fmt.Println(names)
	// Output: [Carol Me]
}

// Dialogs: create the three kinds, list and count them, change a group, mute it, join a
// public dialog, then delete.
func ExampleClient_CreateDialog() {
	ctx := context.Background()
	_, client := signedIn("Owner")
	bob, bobClient := signedIn("Bob")
	carol, _ := exampleUser("Carol")
	dave, _ := exampleUser("Dave")

	private, err := client.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})
	if err != nil {
		fmt.Println(err)
		return
	}
	group, _ := client.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogGroup, Name: "Team", OccupantsIDs: []int64{bob.ID, carol.ID}})
	public, _ := client.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPublic, Name: "Lobby"})
	fmt.Println("private with", len(private.OccupantsIDs), "people; group", group.Name, "with", len(group.OccupantsIDs))

	// Incremental sync: everything changed since the last pass, newest first.
	list, _ := client.ListDialogs(ctx, cube.DialogFilter{UpdatedAtGT: time.Now().Add(-time.Hour), SortDesc: "updated_at", Limit: 100})
	groups, _ := client.CountDialogs(ctx, cube.DialogFilter{TypeIn: []int{cube.DialogGroup}})
	fmt.Println("listed", len(list.Items), "dialogs,", groups, "group")

	// Rename, add and remove people, make Bob an admin.
	group, err = client.UpdateDialog(ctx, group.ID, cube.DialogUpdate{
		Name: cube.Str("Team 2"), PushOccupants: []int64{dave.ID}, PullOccupants: []int64{carol.ID},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	group, _ = client.AddAdmins(ctx, group.ID, []int64{bob.ID}) // owner only
	fmt.Println(group.Name, "has Dave:", slices.Contains(group.OccupantsIDs, dave.ID),
		"has Carol:", slices.Contains(group.OccupantsIDs, carol.ID), "Bob is admin:", slices.Contains(group.AdminsIDs, bob.ID))

	// Mute: no chat alerts (pushes) for this dialog.
	_ = client.SetDialogNotifications(ctx, group.ID, false)
	on, _ := client.DialogNotifications(ctx, group.ID)
	fmt.Println("notifications on:", on)

	// Public dialogs: join, list subscribers, leave.
	_, _ = bobClient.SubscribePublicDialog(ctx, public.ID)
	subscribers, _ := client.PublicDialogOccupants(ctx, public.ID, 50, 0)
	fmt.Println("subscribers:", len(subscribers)) // the owner and Bob
	_ = bobClient.UnsubscribePublicDialog(ctx, public.ID)

	// Delete dialogs (force = for everybody, owner only).
	res, _ := client.DeleteDialogs(ctx, []string{group.ID, private.ID}, true)
	fmt.Println("deleted:", len(res.SuccessfullyDeleted.IDs), "not found:", len(res.NotFound.IDs))
	// Output:
	// private with 2 people; group Team with 3
	// listed 3 dialogs, 1 group
	// Team 2 has Dave: true has Carol: false Bob is admin: true
	// notifications on: false
	// subscribers: 2
	// deleted: 2 not found: 0
}

// Messages over REST: store, list, count, edit, mark read and delete.
func ExampleClient_CreateMessage() {
	ctx := context.Background()
	_, client := signedIn("Alice")
	bob, bobClient := signedIn("Bob")
	dialog, _ := client.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})

	// Store a message (SendToChat also delivers it over XMPP to whoever is online).
	m, err := client.CreateMessage(ctx, cube.NewMessage{DialogID: dialog.ID, Message: "hello", SendToChat: true,
		Custom: map[string]any{"country": "NZ"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Message, m.Custom["country"])
	_, _ = bobClient.CreateMessage(ctx, cube.NewMessage{DialogID: dialog.ID, Message: "hi Alice"})

	// Background reads never mark anything read (mark_as_read=0 is always sent).
	page, _ := client.ListMessages(ctx, cube.MessageFilter{DialogID: dialog.ID, SortAsc: "date_sent", Limit: 100})
	fromBob, _ := client.CountMessages(ctx, cube.MessageFilter{DialogID: dialog.ID, SenderID: bob.ID})
	fmt.Println(len(page.Items), "messages,", fromBob, "from Bob")

	// Edit the stored text, then mark the whole dialog read (no ids).
	_ = client.UpdateMessages(ctx, dialog.ID, []string{m.ID}, cube.MessageUpdate{Message: cube.Str("hello!")})
	_ = bobClient.UpdateMessages(ctx, dialog.ID, nil, cube.MessageUpdate{Read: true})
	edited, _ := client.ListMessages(ctx, cube.MessageFilter{DialogID: dialog.ID, IDIn: []string{m.ID}})
	fmt.Println(edited.Items[0].Message, "read by Bob:", slices.Contains(edited.Items[0].ReadIDs, bob.ID))

	deleted, _ := client.DeleteMessages(ctx, []string{m.ID}, true) // force: for everybody
	left, _ := bobClient.CountMessages(ctx, cube.MessageFilter{DialogID: dialog.ID})
	fmt.Println("deleted", len(deleted.SuccessfullyDeleted.IDs), "left", left)
	// Output:
	// hello NZ
	// 2 messages, 1 from Bob
	// hello! read by Bob: true
	// deleted 1 left 1
}

// Unread counts per dialog, and the server's full-text search.
func ExampleClient_UnreadCount() {
	ctx := context.Background()
	alice, client := signedIn("Alice")
	_, bobClient := signedIn("Bob")
	dialog, _ := bobClient.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{alice.ID}})
	for _, text := range []string{"breakfast at nine?", "bring the croissants"} {
		_, _ = bobClient.CreateMessage(ctx, cube.NewMessage{DialogID: dialog.ID, Message: text})
	}

	total, perDialog, err := client.UnreadCount(ctx, []string{dialog.ID}) // nil = every dialog
	fmt.Println(total, perDialog[dialog.ID], err)

	// Text longer than 4 characters; StartDate is the newer bound, EndDate the older one.
	found, err := client.GlobalSearch(ctx, cube.SearchQuery{Text: "croissants", Limit: 20,
		StartDate: time.Now().Add(time.Minute), EndDate: time.Now().AddDate(0, -1, 0)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range found.Messages {
		fmt.Println("found:", m.Message)
	}
	// Output:
	// 2 2 <nil>
	// found: bring the croissants
}

// Reactions: add, switch and remove, and who reacted with what.
func ExampleClient_AddReaction() {
	ctx := context.Background()
	alice, client := signedIn("Alice")
	bob, bobClient := signedIn("Bob")
	dialog, _ := client.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})
	m, _ := client.CreateMessage(ctx, cube.NewMessage{DialogID: dialog.ID, Message: "lunch?"})

	_ = client.AddReaction(ctx, m.ID, "👍")
	_ = bobClient.AddReaction(ctx, m.ID, "👍")
	_ = bobClient.UpdateReaction(ctx, m.ID, "🔥", "👍") // switch in one call
	who, _ := client.ListReactions(ctx, m.ID)         // reaction → user ids
	fmt.Println("👍 by Alice:", slices.Equal(who["👍"], []int64{alice.ID}), "🔥 by Bob:", slices.Equal(who["🔥"], []int64{bob.ID}))

	_ = bobClient.RemoveReaction(ctx, m.ID, "🔥")
	who, _ = client.ListReactions(ctx, m.ID)
	fmt.Println(len(who["🔥"]), "🔥 left")
	// Output:
	// 👍 by Alice: true 🔥 by Bob: true
	// 0 🔥 left
}

// Attachments: upload a file (create, upload, complete), send it in a message, read it back.
func ExampleClient_UploadFile() {
	ctx := context.Background()
	_, client := signedIn("Alice")
	bob, bobClient := signedIn("Bob")
	dialog, _ := client.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})

	content := "pretend this is a cat picture"
	var lastPercent int64
	blob, err := client.UploadFile(ctx, "cat.jpg", "image/jpeg", strings.NewReader(content), int64(len(content)), false,
		func(sent, total int64) { lastPercent = sent * 100 / total })
	if err != nil {
		fmt.Println(err) // over 100 MB is refused before anything is sent
		return
	}
	fmt.Println("uploaded", blob.Name, lastPercent, "%")
	_, _ = client.CreateMessage(ctx, cube.NewMessage{DialogID: dialog.ID, Message: "a cat",
		Attachments: []cube.Attachment{blob.Attachment("image")}})

	// Bob reads the message and downloads the private blob with his own session.
	page, _ := bobClient.ListMessages(ctx, cube.MessageFilter{DialogID: dialog.ID})
	att := page.Items[0].Attachments[0]
	var buf bytes.Buffer
	n, err := bobClient.DownloadBlob(ctx, att.UID, &buf)
	fmt.Println(att.Type, n, buf.String() == content, err)
	info, _ := client.GetBlob(ctx, blob.UID)
	fmt.Println("size", info.Size, "private URL carries a token:", strings.Contains(client.BlobDownloadURL(blob.UID, !blob.Public), "token="))
	fmt.Println("deleted:", client.DeleteBlob(ctx, blob.ID) == nil)
	// Output:
	// uploaded cat.jpg 100 %
	// image 29 true <nil>
	// size 29 private URL carries a token: true
	// deleted: true
}

// Chat: connect with the session token, send, and receive on the ordered event stream.
func ExampleChat_Connect() {
	ctx := context.Background()
	alice, client := signedIn("Alice")
	bob, bobClient := signedIn("Bob")

	chat := cube.NewChat(client.Config(), cube.ChatOptions{
		UserID: alice.ID, Password: client.Token(), // the password or the session token
		// nil = the defaults (5 attempts, 5 s apart); Attempts: 0 disables reconnecting
		Reconnect: &cube.ReconnectPolicy{Attempts: 5, Interval: 5 * time.Second},
	})
	if err := chat.Connect(ctx); errors.Is(err, cube.ErrAuth) {
		fmt.Println("wrong password or token:", err) // not retried
		return
	} else if err != nil {
		fmt.Println(err)
		return
	}
	defer chat.Disconnect() // Closed, no reconnect
	ready, _ := nextEvent(chat, func(e cube.StateEvent) bool { return e.State == cube.Ready })
	fmt.Println("chat is", ready.State)

	bobChat := connected(bob, bobClient)
	defer bobChat.Disconnect()
	dialog, _ := client.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})
	peer := cube.PeerOf(dialog, alice.ID) // private: the other occupant; groups: the room
	sent, err := chat.SendMessage(ctx, cube.OutgoingMessage{DialogID: dialog.ID, DialogType: dialog.Type,
		RecipientID: peer.RecipientID, Body: "hi Bob", SaveToHistory: true})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Bob's side: one ordered stream of events; a consumer must keep reading it.
	got, _ := nextEvent(bobChat, anyEvent[cube.MessageEvent])
	fmt.Println("Bob got:", got.Message.Message, "from Alice:", got.Message.SenderID == alice.ID)
	// New messages are acknowledged automatically with a delivered marker (as SDK 6 does).
	marker, _ := nextEvent(chat, func(e cube.MarkerEvent) bool { return e.MessageID == sent.ID })
	fmt.Println("delivered:", marker.Kind == cube.MarkerDelivered && marker.UserID == bob.ID)
	// Output:
	// chat is Ready
	// Bob got: hi Bob from Alice: true
	// delivered: true
}

// Chat: typing, read markers, live edit and delete, as the other side sees them.
func ExampleChat_SendTyping() {
	ctx := context.Background()
	alice, client := signedIn("Alice")
	bob, bobClient := signedIn("Bob")
	chat, bobChat := connected(alice, client), connected(bob, bobClient)
	defer chat.Disconnect()
	defer bobChat.Disconnect()
	dialog, _ := client.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{bob.ID}})
	peer := cube.PeerOf(dialog, alice.ID)

	_ = chat.SendTyping(ctx, peer, true) // composing
	typing, _ := nextEvent(bobChat, anyEvent[cube.TypingEvent])
	fmt.Println("Alice typing:", typing.Typing, typing.UserID == alice.ID)
	_ = chat.SendTyping(ctx, peer, false) // paused
	typing, _ = nextEvent(bobChat, anyEvent[cube.TypingEvent])
	fmt.Println("Alice typing:", typing.Typing)

	sent, _ := chat.SendMessage(ctx, cube.OutgoingMessage{DialogID: dialog.ID, DialogType: dialog.Type,
		RecipientID: peer.RecipientID, Body: "see you at 5", SaveToHistory: true})
	incoming, _ := nextEvent(bobChat, anyEvent[cube.MessageEvent])

	// Markers go to the sender of an incoming message (a cube.Message from an event or REST).
	_ = bobChat.SendRead(ctx, incoming.Message)
	read, _ := nextEvent(chat, func(e cube.MarkerEvent) bool { return e.Kind == cube.MarkerRead })
	fmt.Println("read by Bob:", read.MessageID == sent.ID && read.UserID == bob.ID)

	// Live edit and delete; the stored history changes through REST.
	_, _ = chat.EditMessage(ctx, cube.OutgoingEdit{Peer: peer, MessageID: sent.ID, Body: "see you at 6", Last: true})
	edit, _ := nextEvent(bobChat, anyEvent[cube.EditEvent])
	fmt.Println("now says:", edit.Body, edit.MessageID == sent.ID)
	_, _ = chat.DeleteMessageChat(ctx, peer, sent.ID)
	del, _ := nextEvent(bobChat, anyEvent[cube.DeleteEvent])
	fmt.Println("deleted by Alice:", del.MessageID == sent.ID && del.UserID == alice.ID)
	// Output:
	// Alice typing: true true
	// Alice typing: false
	// read by Bob: true
	// now says: see you at 6 true
	// deleted by Alice: true
}

// Privacy lists: block a user; the server bounces their messages with 503.
func ExampleChat_CreatePrivacyList() {
	ctx := context.Background()
	alice, client := signedIn("Alice")
	bob, bobClient := signedIn("Bob")
	chat, bobChat := connected(alice, client), connected(bob, bobClient)
	defer chat.Disconnect()
	defer bobChat.Disconnect()

	// The dialog exists before the block: the server refuses a new dialog with a blocker.
	dialog, err := bobClient.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{alice.ID}})
	if err != nil {
		fmt.Println(err)
		return
	}
	list := cube.PrivacyList{Name: "blocked", Items: []cube.PrivacyEntry{
		{UserID: bob.ID, Action: cube.PrivacyDeny}, // I don't hear from Bob
	}}
	// The default list is the one enforced; decline it before changing it, as the SDK docs do.
	_ = chat.SetDefaultPrivacyList(ctx, "")
	if err := chat.CreatePrivacyList(ctx, list); err != nil {
		fmt.Println(err)
		return
	}
	_ = chat.SetDefaultPrivacyList(ctx, "blocked")
	names, _ := chat.PrivacyListNames(ctx) // {Active, Default, Names}
	got, _ := chat.GetPrivacyList(ctx, "blocked")
	fmt.Println("default:", names.Default, "entries:", len(got.Items))

	sent, _ := bobChat.SendMessage(ctx, cube.OutgoingMessage{DialogID: dialog.ID, DialogType: dialog.Type,
		RecipientID: alice.ID, Body: "are you there?", SaveToHistory: true})
	bounce, _ := nextEvent(bobChat, anyEvent[cube.MessageErrorEvent])
	fmt.Println("bounced:", bounce.ID == sent.ID, bounce.Code)

	_ = chat.SetDefaultPrivacyList(ctx, "")
	fmt.Println("deleted:", chat.DeletePrivacyList(ctx, "blocked") == nil)
	// Output:
	// default: blocked entries: 1
	// bounced: true 503
	// deleted: true
}

// Last activity: ask how long ago a user was online, or subscribe to pushes.
func ExampleChat_LastActivity() {
	ctx := context.Background()
	alice, client := signedIn("Alice")
	bob, bobClient := signedIn("Bob")
	chat, bobChat := connected(alice, client), connected(bob, bobClient)
	defer chat.Disconnect()

	seconds, err := chat.LastActivity(ctx, bob.ID) // 0 = online now
	fmt.Println("Bob online now:", seconds == 0, err)

	_ = chat.SubscribeLastActivity(ctx, bob.ID, true) // pushes arrive as cube.LastActivityEvent
	_ = bobChat.Disconnect()
	push, ok := nextEvent(chat, func(e cube.LastActivityEvent) bool { return e.UserID == bob.ID })
	fmt.Println("push when Bob left:", ok, push.Seconds >= 0)
	// Output:
	// Bob online now: true <nil>
	// push when Bob left: true true
}

// Users: change your own profile and password, read a user by id, see who is online.
func ExampleClient_UpdateUser() {
	ctx := context.Background()
	me, client := signedIn("Dora")
	bob, bobClient := signedIn("Bob")

	u, err := client.UpdateUser(ctx, me.ID, cube.UserUpdate{
		FullName: cube.Str("Dora Marquez"), // nil fields stay; cube.Str("") clears one
		Website:  cube.Str("dora.example"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("now:", u.FullName, u.Website)

	// The current password is required; every other session of the user ends.
	err = client.ChangePassword(ctx, me.ID, "not-my-password", "dora-new-pass-1")
	fmt.Println("wrong old password refused:", cube.IsWrongOldPassword(err))
	fmt.Println("changed:", client.ChangePassword(ctx, me.ID, me.Login+"-pass-1", "dora-new-pass-1") == nil)

	seen, _ := bobClient.UserByID(ctx, me.ID) // GET /users/{id}
	fmt.Println("Bob sees:", seen.FullName)

	bobChat := connected(bob, bobClient) // online = connected to the chat
	defer bobChat.Disconnect()
	online, _ := client.OnlineUsers(ctx, 100, 0)
	count, _ := client.OnlineUsersCount(ctx)
	fmt.Println("Bob is online:", slices.ContainsFunc(online, func(u cube.User) bool { return u.ID == bob.ID }), "count ≥ 1:", count >= 1)
	// Output:
	// now: Dora Marquez dora.example
	// wrong old password refused: true
	// changed: true
	// Bob sees: Dora Marquez
	// Bob is online: true count ≥ 1: true
}

// Users: delete your own account. Groups you own pass to their first admin (else the
// earliest occupant); your chat connections are closed for good.
func ExampleClient_DeleteUser() {
	ctx := context.Background()
	me, client := signedIn("Eve")
	bob, bobClient := signedIn("Bob")
	group, _ := client.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogGroup, Name: "Eve's", OccupantsIDs: []int64{bob.ID}})

	if err := client.DeleteUser(ctx, me.ID); err != nil { // only your own account
		fmt.Println(err)
		return
	}
	_, err := bobClient.UserByID(ctx, me.ID)
	fmt.Println("gone:", cube.IsStatus(err, 404))
	list, _ := bobClient.ListDialogs(ctx, cube.DialogFilter{IDIn: []string{group.ID}})
	fmt.Println("Bob owns the group now:", list.Items[0].UserID == bob.ID)
	// Output:
	// gone: true
	// Bob owns the group now: true
}
