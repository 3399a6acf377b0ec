package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cubechat/cubechat/cube"
	"github.com/cubechat/cubechat/cubeserver/store"
)

// person is a seeded user; every colleague shares the demo password, which exists only on
// this local demo server.
type person struct {
	Login, FullName string
}

var (
	you        = person{Login, "Dana Demo"}
	colleagues = []person{
		{"alice", "Alice Johnson"},
		{"bob", "Bob Martins"},
		{"carol", "Carol Diaz"},
		{"dmitri", "Dmitri Ivanov"},
		{"emma", "Emma Wilson"},
	}
	groups = []struct {
		Name    string
		Members []string
	}{
		{"Design team", []string{"alice", "bob", "carol"}},
		{"Weekend hike", []string{"dmitri", "emma", "alice"}},
		{"Release 0.1", []string{"bob", "carol", "dmitri", "emma"}},
	}
	// publicChat is open to anyone on the server; the demo user has not joined it, so
	// "Browse public chats" has something to find and join.
	publicChat = struct {
		Name, Description, Owner string
		Subscribers              []string
	}{"Open source lounge", "Chat about the libraries we use", "carol", []string{"alice", "emma"}}
)

// workspace is what the peers need to know about the seeded data.
type workspace struct {
	You    cube.User
	People map[int64]cube.User // colleagues by id
}

// seed creates the workspace on first start and loads it on later ones.
func seed(ctx context.Context, st *store.Store, appID int64, domain string) (*workspace, error) {
	me, err := st.UserByLogin(ctx, you.Login)
	if err == nil {
		return loadWorkspace(ctx, st, me)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	ws := &workspace{People: map[int64]cube.User{}}
	if ws.You, err = st.CreateUser(ctx, cube.User{Login: you.Login, FullName: you.FullName}, Password); err != nil {
		return nil, err
	}
	byLogin := map[string]cube.User{}
	for _, p := range colleagues {
		u, err := st.CreateUser(ctx, cube.User{Login: p.Login, FullName: p.FullName}, Password)
		if err != nil {
			return nil, err
		}
		ws.People[u.ID] = u
		byLogin[p.Login] = u
	}
	rng := rand.New(rand.NewPCG(7, 11)) // the same history on every machine
	now := time.Now()
	for i, p := range colleagues {
		d, _, err := st.CreateDialog(ctx, store.NewDialog{Type: cube.DialogPrivate, OwnerID: ws.You.ID,
			OccupantIDs: []int64{byLogin[p.Login].ID}})
		if err != nil {
			return nil, err
		}
		speakers := []cube.User{ws.You, byLogin[p.Login]}
		if err := seedHistory(ctx, st, d, speakers, privateTopics, 8+i*2, now, rng); err != nil {
			return nil, err
		}
	}
	for i, g := range groups {
		members := []cube.User{ws.You}
		var ids []int64
		for _, login := range g.Members {
			members = append(members, byLogin[login])
			ids = append(ids, byLogin[login].ID)
		}
		id := cube.NewObjectID()
		d, _, err := st.CreateDialog(ctx, store.NewDialog{ID: id, Type: cube.DialogGroup, OwnerID: members[1].ID,
			Name: g.Name, RoomJID: cube.RoomJID(appID, id, domain), OccupantIDs: append(ids, ws.You.ID)})
		if err != nil {
			return nil, err
		}
		if err := seedHistory(ctx, st, d, members, groupTopics, 12+i*3, now, rng); err != nil {
			return nil, err
		}
	}
	if err := seedPublic(ctx, st, appID, domain, byLogin, now, rng); err != nil {
		return nil, err
	}
	return ws, nil
}

// seedPublic creates the public chat with its subscribers and a little history.
func seedPublic(ctx context.Context, st *store.Store, appID int64, domain string, byLogin map[string]cube.User, now time.Time, rng *rand.Rand) error {
	owner := byLogin[publicChat.Owner]
	id := cube.NewObjectID()
	d, _, err := st.CreateDialog(ctx, store.NewDialog{ID: id, Type: cube.DialogPublic, OwnerID: owner.ID,
		Name: publicChat.Name, Description: publicChat.Description, RoomJID: cube.RoomJID(appID, id, domain),
		AllowPreview: true})
	if err != nil {
		return err
	}
	speakers := []cube.User{owner}
	for _, login := range publicChat.Subscribers {
		if d, err = st.Subscribe(ctx, id, byLogin[login].ID); err != nil {
			return err
		}
		speakers = append(speakers, byLogin[login])
	}
	return seedHistory(ctx, st, d, speakers, groupTopics, 6, now, rng)
}

// seedHistory writes conversations on several past days, read by everyone except for the
// last few lines of some dialogs, so a newcomer sees unread badges.
func seedHistory(ctx context.Context, st *store.Store, d *cube.Dialog, speakers []cube.User, topics [][]string, days int, now time.Time, rng *rand.Rand) error {
	for day := days; day >= 0; day-- {
		if day > 0 && rng.IntN(3) == 0 {
			continue // not every day has a conversation
		}
		at := now.Add(-time.Duration(day)*24*time.Hour - time.Duration(1+rng.IntN(6))*time.Hour)
		if day == 0 {
			at = now.Add(-time.Duration(90+rng.IntN(30)) * time.Minute) // ends before the fresh lines
		}
		lines := topics[rng.IntN(len(topics))]
		for i, text := range lines {
			speaker := speakers[(i+rng.IntN(2))%len(speakers)]
			if len(speakers) == 2 {
				speaker = speakers[i%2]
			}
			at = at.Add(time.Duration(20+rng.IntN(200)) * time.Second)
			recipient := int64(0)
			if d.Type == cube.DialogPrivate {
				recipient = otherOf(d.OccupantsIDs, speaker.ID)
			}
			_, err := st.StoreChatMessage(ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID,
				Message: text, DateSent: at.Unix(), SenderID: speaker.ID, RecipientID: recipient,
				CreatedAt: cube.TimeOf(at), UpdatedAt: cube.TimeOf(at)})
			if err != nil {
				return fmt.Errorf("dialog %s: %w", d.ID, err)
			}
		}
	}
	// Everyone has read everything; then a couple of fresh lines stay unread for the demo user.
	for _, id := range d.OccupantsIDs {
		if _, err := st.MarkRead(ctx, d.ID, id, nil); err != nil {
			return err
		}
	}
	if rng.IntN(2) == 0 {
		return nil
	}
	from := speakers[1+rng.IntN(len(speakers)-1)]
	recipient := int64(0)
	if d.Type == cube.DialogPrivate {
		recipient = speakers[0].ID
	}
	at := now.Add(-time.Duration(5+rng.IntN(20)) * time.Minute)
	for _, text := range freshLines[rng.IntN(len(freshLines))] {
		at = at.Add(time.Duration(10+rng.IntN(50)) * time.Second)
		if _, err := st.StoreChatMessage(ctx, cube.Message{ID: cube.NewObjectID(), ChatDialogID: d.ID,
			Message: text, DateSent: at.Unix(), SenderID: from.ID, RecipientID: recipient}); err != nil {
			return err
		}
	}
	return nil
}

func otherOf(ids []int64, me int64) int64 {
	for _, id := range ids {
		if id != me {
			return id
		}
	}
	return 0
}

// loadWorkspace finds the colleagues of an already seeded workspace.
func loadWorkspace(ctx context.Context, st *store.Store, me cube.User) (*workspace, error) {
	ws := &workspace{You: me, People: map[int64]cube.User{}}
	for _, p := range colleagues {
		u, err := st.UserByLogin(ctx, p.Login)
		if err != nil {
			return nil, fmt.Errorf("seeded user %s: %w", p.Login, err)
		}
		ws.People[u.ID] = u
	}
	return ws, nil
}
