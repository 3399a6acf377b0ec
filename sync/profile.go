package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // avatars may be GIF, JPEG or PNG
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/cubechat/cubechat/cache"
	"github.com/cubechat/cubechat/cube"
)

// The signed-in user's own account (docs/protocol.md §2.5): profile read and update
// (name, avatar), password change, and the number of users online. Every change is the
// server's first; the cache stores the user as the server answers, so the screens
// follow through the change feed.

// MaxAvatarBytes is the largest avatar file UpdateProfile uploads.
const MaxAvatarBytes = 5 << 20

// ErrWrongPassword is a password change refused because the current password is wrong.
var ErrWrongPassword = errors.New("sync: the current password is wrong")

// ProfileChanges is an edit of the own profile; nil fields stay as they are.
type ProfileChanges struct {
	FullName *string
	// AvatarPath is an image file to upload as the new avatar ("" = keep the avatar).
	AvatarPath string
}

// MyProfile is the signed-in user as cached.
func (e *Engine) MyProfile(ctx context.Context) (cache.User, error) {
	me := e.Me()
	if me == 0 {
		return cache.User{}, errNotLoggedIn
	}
	users, err := e.db.Users(ctx, []int64{me})
	if err != nil {
		return cache.User{}, err
	}
	u, ok := users[me]
	if !ok {
		return cache.User{ID: me}, nil
	}
	return u, nil
}

// UpdateProfile changes the own profile on the server (the avatar is uploaded first,
// as a public file whose uid becomes the user's avatar) and stores the answer. It needs
// the server: offline it fails with ErrOffline wrapped and changes nothing.
func (e *Engine) UpdateProfile(ctx context.Context, ch ProfileChanges) (cache.User, error) {
	me := e.Me()
	if me == 0 {
		return cache.User{}, errNotLoggedIn
	}
	upd := cube.UserUpdate{}
	if ch.FullName != nil {
		name := strings.TrimSpace(*ch.FullName)
		if name == "" {
			return cache.User{}, errors.New("sync: the name cannot be empty")
		}
		upd.FullName = &name
	}
	if ch.AvatarPath != "" {
		uid, err := e.uploadAvatar(ctx, ch.AvatarPath)
		if err != nil {
			return cache.User{}, err
		}
		upd.Avatar = &uid
	}
	var u *cube.User
	err := e.rest(ctx, func(c *cube.Client) error {
		var err error
		u, err = c.UpdateUser(ctx, me, upd)
		return err
	})
	if err != nil {
		return cache.User{}, e.serverErr("updating the profile", err)
	}
	if err := e.storeOwnProfile(ctx, *u); err != nil {
		return cache.User{}, err
	}
	return userFromWire(*u), nil
}

// storeOwnProfile keeps the server's answer as the cached user and account.
func (e *Engine) storeOwnProfile(ctx context.Context, u cube.User) error {
	acc, err := accountFromWire(u)
	if err != nil {
		return err
	}
	if err := e.db.UpsertUsers(ctx, []cache.User{userFromWire(u)}); err != nil {
		return fmt.Errorf("sync: saving the profile: %w", err)
	}
	if err := e.db.SaveAccount(ctx, acc); err != nil {
		return fmt.Errorf("sync: saving the profile: %w", err)
	}
	return nil
}

// uploadAvatar checks that path is an image of at most MaxAvatarBytes and uploads it as
// a public file (anyone may see an avatar), returning its uid.
func (e *Engine) uploadAvatar(ctx context.Context, path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("sync: reading the avatar: %w", err)
	}
	if len(data) > MaxAvatarBytes {
		return "", fmt.Errorf("sync: the avatar is %d KB; at most %d KB", len(data)>>10, MaxAvatarBytes>>10)
	}
	_, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("sync: the avatar is not a GIF, JPEG or PNG image: %w", err)
	}
	var blob *cube.Blob
	err = e.rest(ctx, func(c *cube.Client) error {
		var err error
		blob, err = c.UploadFile(ctx, filepath.Base(path), "image/"+format, bytes.NewReader(data), int64(len(data)), true, nil)
		return err
	})
	if err != nil {
		return "", e.serverErr("uploading the avatar", err)
	}
	return blob.UID, nil
}

// Avatar downloads the image of an avatar uid (at most MaxAvatarBytes).
func (e *Engine) Avatar(ctx context.Context, uid string) ([]byte, error) {
	if uid == "" {
		return nil, errors.New("sync: no avatar")
	}
	var buf bytes.Buffer
	err := e.rest(ctx, func(c *cube.Client) error {
		buf.Reset()
		_, err := c.DownloadBlob(ctx, uid, &limitedWriter{w: &buf, left: MaxAvatarBytes})
		return err
	})
	if err != nil {
		return nil, e.serverErr("downloading the avatar", err)
	}
	return buf.Bytes(), nil
}

// limitedWriter refuses to grow past its budget.
type limitedWriter struct {
	w    *bytes.Buffer
	left int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > l.left {
		return 0, fmt.Errorf("sync: the avatar is larger than %d KB", MaxAvatarBytes>>10)
	}
	l.left -= len(p)
	return l.w.Write(p)
}

// ChangePassword replaces the account's password on the server. A wrong current
// password is ErrWrongPassword. The server ends this account's other sessions and
// resets its chat connections; this engine keeps its session, and reconnects the chat
// with the new password.
func (e *Engine) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	me := e.Me()
	if me == 0 {
		return errNotLoggedIn
	}
	if newPassword == "" {
		return errors.New("sync: the new password is empty")
	}
	err := e.rest(ctx, func(c *cube.Client) error { return c.ChangePassword(ctx, me, oldPassword, newPassword) })
	if cube.IsWrongOldPassword(err) {
		return ErrWrongPassword
	}
	if err != nil {
		return e.serverErr("changing the password", err)
	}
	e.mu.Lock()
	if e.password != "" {
		e.password = newPassword // the next chat sign-in (and REST session) uses it
	}
	e.mu.Unlock()
	e.log.Info("password changed")
	return nil
}

// OnlineCount is how many users are connected to the chat server now.
func (e *Engine) OnlineCount(ctx context.Context) (int, error) {
	var n int
	err := e.rest(ctx, func(c *cube.Client) error {
		var err error
		n, err = c.OnlineUsersCount(ctx)
		return err
	})
	if err != nil {
		return 0, e.serverErr("counting online users", err)
	}
	return n, nil
}

// serverErr names what failed; an unreachable server reads as ErrOffline.
func (e *Engine) serverErr(what string, err error) error {
	if isUnreachable(err) {
		return fmt.Errorf("%w: %s: %w", ErrOffline, what, err)
	}
	return fmt.Errorf("sync: %s: %w", what, err)
}
