package main

import (
	"context"
	"fmt"

	"github.com/cubechat/cubechat/cube"
)

// privatePair is a 1-1 dialog between two load users.
type privatePair struct {
	a, b     *account
	dialogID string
}

// group is a group dialog and its occupants (owner first).
type group struct {
	members  []*account
	dialogID string
}

// layout is every dialog the load runs in.
type layout struct {
	pairs  []privatePair
	groups []group
}

// dialogIDs lists every dialog with an occupant who may count its messages.
func (l *layout) dialogIDs() map[string]*account {
	out := make(map[string]*account, len(l.pairs)+len(l.groups))
	for _, p := range l.pairs {
		out[p.dialogID] = p.a
	}
	for _, g := range l.groups {
		out[g.dialogID] = g.members[0]
	}
	return out
}

// createDialogs pairs users 0-1, 2-3, … into private dialogs and fills each group
// with group-size consecutive users (wrapping around), all over REST as an app would.
func createDialogs(ctx context.Context, users []*account, o Options) (*layout, error) {
	l := &layout{pairs: make([]privatePair, len(users)/2)}
	err := forEach(ctx, len(l.pairs), o.Parallel, func(ctx context.Context, i int) error {
		a, b := users[2*i], users[2*i+1]
		d, err := a.rest.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogPrivate, OccupantsIDs: []int64{b.user.ID}})
		if err != nil {
			return fmt.Errorf("private dialog %s–%s: %w", a.user.Login, b.user.Login, err)
		}
		l.pairs[i] = privatePair{a: a, b: b, dialogID: d.ID}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for g := range o.Groups {
		members := make([]*account, o.GroupSize)
		var others []int64
		for j := range members {
			members[j] = users[(g*o.GroupSize+j)%len(users)]
			if j > 0 {
				others = append(others, members[j].user.ID)
			}
		}
		d, err := members[0].rest.CreateDialog(ctx, cube.NewDialog{Type: cube.DialogGroup,
			Name: fmt.Sprintf("load group %d", g), OccupantsIDs: others})
		if err != nil {
			return nil, fmt.Errorf("group dialog %d: %w", g, err)
		}
		l.groups = append(l.groups, group{members: members, dialogID: d.ID})
	}
	return l, nil
}
