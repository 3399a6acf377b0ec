// Package bigcache builds a large client cache for benchmarks: by default a
// million messages in ten thousand dialogs, one of them holding a hundred
// thousand. It is written with plain SQL in one transaction through the cache's
// own schema (cache.Open runs the migrations first), so a million messages take
// tens of seconds instead of the hours live writes would. Message bodies are
// drawn from a Zipf-distributed vocabulary, so the search index sees text shaped
// like real chat: a few very common words ("the" in about a third of the
// messages), a long tail of rare ones, and a marker word (RareWord) in a handful.
//
// The file is built once per parameter set into the system temp directory and
// reused by every later run (Path); nothing of it is committed. A benchmark that
// writes (opening dialogs marks them read) works on a Copy.
package bigcache

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cubechat/cubechat/cache"
)

// Me is the signed-in user of the fixture (account row and sender of every
// other message).
const Me = 1

// RareWord is in RareCount messages spread over the file, and nowhere else.
const (
	RareWord  = "zanzibar"
	RareCount = 20
)

// BigDialog is the id of the dialog that holds Params.BigDialog messages.
const BigDialog = "dialog-00000"

// formatVersion changes whenever the generator writes something different, so an
// old fixture in the temp directory is not taken for a new one.
const formatVersion = 2

// Params size the fixture.
type Params struct {
	Messages  int // in all
	Dialogs   int
	BigDialog int // messages in BigDialog (every tenth message, at most)
	Users     int // other users, peers of the dialogs
}

// Default is issue 10's scale: 1M messages, 10k dialogs, 100k in one of them.
var Default = Params{Messages: 1_000_000, Dialogs: 10_000, BigDialog: 100_000, Users: 2_000}

func (p Params) key() string {
	return fmt.Sprintf("cubechat-bigcache-v%d-m%d-d%d-b%d-u%d", formatVersion, p.Messages, p.Dialogs, p.BigDialog, p.Users)
}

func (p Params) validate() error {
	if p.Messages <= 0 || p.Dialogs < 2 || p.Users < 1 || p.BigDialog < 0 || p.BigDialog > p.Messages/10 {
		return fmt.Errorf("bigcache: bad parameters %+v (need messages > 0, dialogs ≥ 2, users ≥ 1, 0 ≤ big dialog ≤ messages/10)", p)
	}
	return nil
}

// Path returns the fixture's file, building it first if no earlier run left it
// in the temp directory. Concurrent builders (two benchmark binaries) each build
// into a directory of their own; the first to finish publishes it by a rename.
func Path(ctx context.Context, p Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), p.key())
	path := filepath.Join(dir, "cache.db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp, err := os.MkdirTemp("", p.key()+".building-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // gone after a successful rename; a failed build is removed
	if err := build(ctx, filepath.Join(tmp, "cache.db"), p); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(path); statErr == nil {
			return path, nil // another builder published first
		}
		return "", fmt.Errorf("bigcache: publish %s: %w", dir, err)
	}
	return path, nil
}

// Copy copies the fixture to dst (a cache file path), for a run that writes.
func Copy(ctx context.Context, p Params, dst string) error {
	src, err := Path(ctx, p)
	if err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// build writes the fixture into a new file at path.
func build(ctx context.Context, path string, p Params) error {
	db, err := cache.Open(path) // the schema, exactly as the app makes it
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	raw.SetMaxOpenConns(1)
	defer raw.Close()
	// No journal while building: a failed build is thrown away whole.
	for _, q := range []string{`PRAGMA journal_mode = OFF`, `PRAGMA synchronous = OFF`, `PRAGMA cache_size = -262144`} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("bigcache: %s: %w", q, err)
		}
	}
	conn, err := raw.Conn(ctx)
	if err != nil {
		return err
	}
	if err := fill(ctx, conn, p); err != nil {
		conn.Close()
		return fmt.Errorf("bigcache: %w", err)
	}
	if err := conn.Close(); err != nil {
		return err
	}
	for _, q := range []string{`PRAGMA journal_mode = WAL`} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("bigcache: %s: %w", q, err)
		}
	}
	if err := raw.Close(); err != nil {
		return err
	}
	// One clean session, so the next Open finds a cache that was closed cleanly.
	db, err = cache.Open(path)
	if err != nil {
		return err
	}
	return db.Close()
}

// dialogState is what fill remembers of a dialog to write its row.
type dialogState struct {
	peers    []int64
	lastID   string
	lastBody string
	lastAt   int64
	lastFrom int64
}

// start is the time of the first message; one message every 30 s after it
// spreads a million over a little less than a year.
var start = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

// batch is how many messages one transaction stores: the search index is left
// with the segments a cache filled by catch-up pages of a few hundred has (one
// per commit, merged by FTS5's automerge), not one optimised segment.
const batch = 1000

func fill(ctx context.Context, tx *sql.Conn, p Params) error {
	if _, err := tx.ExecContext(ctx, `BEGIN`); err != nil {
		return err
	}
	defer tx.ExecContext(context.Background(), `ROLLBACK`) //nolint:errcheck // after COMMIT it fails harmlessly

	r := rand.New(rand.NewPCG(uint64(p.Messages), uint64(p.Dialogs)))
	vocab := vocabulary(20_000)
	zipf := rand.NewZipf(r, 1.05, 2, uint64(len(vocab)-1))

	if _, err := tx.ExecContext(ctx, `INSERT INTO account (id, user_id, login, full_name) VALUES (1, ?, 'me', 'Me Myself')`, Me); err != nil {
		return err
	}
	userStmt, err := tx.PrepareContext(ctx, `INSERT INTO users (id, login, full_name, updated_at) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer userStmt.Close()
	for id := int64(Me); id <= int64(p.Users)+Me; id++ {
		first, last := vocab[100+int(id)%500], vocab[600+int(id*7)%900]
		if _, err := userStmt.ExecContext(ctx, id, fmt.Sprintf("user%d", id), capital(first)+" "+capital(last), start.UnixMilli()); err != nil {
			return err
		}
	}

	dialogs := make([]dialogState, p.Dialogs)
	for i := range dialogs {
		if isPrivate(i) {
			dialogs[i].peers = []int64{2 + int64(i)%int64(p.Users)}
		} else {
			for k := range 5 {
				dialogs[i].peers = append(dialogs[i].peers, 2+int64(i*5+k)%int64(p.Users))
			}
		}
	}

	msgStmt, err := tx.PrepareContext(ctx, `INSERT INTO messages (pk, id, dialog_id, sender_id, recipient_id, body, sent_at, state)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'read')`)
	if err != nil {
		return err
	}
	defer msgStmt.Close()
	ftsStmt, err := tx.PrepareContext(ctx, `INSERT INTO messages_fts (rowid, body) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer ftsStmt.Close()
	bigEvery := 0
	if p.BigDialog > 0 {
		bigEvery = p.Messages / p.BigDialog
	}
	rareEvery := max(p.Messages/RareCount, 1)
	var words []string
	for k := range p.Messages {
		if k%batch == 0 && k > 0 {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if _, err := tx.ExecContext(ctx, `COMMIT`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `BEGIN`); err != nil {
				return err
			}
		}
		di := 1 + r.IntN(p.Dialogs-1)
		if bigEvery > 0 && k%bigEvery == 0 && k/bigEvery < p.BigDialog {
			di = 0
		}
		d := &dialogs[di]
		from := int64(Me)
		if k%3 != 0 {
			from = d.peers[k%len(d.peers)]
		}
		to := int64(0)
		if isPrivate(di) {
			to = d.peers[0]
			if from != Me {
				to = Me
			}
		}
		words = words[:0]
		for range 3 + r.IntN(13) {
			words = append(words, vocab[zipf.Uint64()])
		}
		if k%rareEvery == rareEvery/2 {
			words[len(words)/2] = RareWord
		}
		body := strings.Join(words, " ")
		id := fmt.Sprintf("64%022x", k+1)
		at := start.Add(time.Duration(k) * 30 * time.Second).UnixMilli()
		if _, err := msgStmt.ExecContext(ctx, k+1, id, dialogID(di), from, to, body, at); err != nil {
			return err
		}
		if _, err := ftsStmt.ExecContext(ctx, k+1, body); err != nil {
			return err
		}
		d.lastID, d.lastBody, d.lastAt, d.lastFrom = id, body, at, from
	}

	dlgStmt, err := tx.PrepareContext(ctx, `INSERT INTO dialogs (id, type, name, owner_id, occupant_ids,
		last_message, last_message_id, last_message_at, last_message_user_id, unread_count, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer dlgStmt.Close()
	for i, d := range dialogs {
		typ, name := 2, capital(vocab[30+i%300])+" "+capital(vocab[400+i%700])
		if isPrivate(i) {
			typ, name = 3, fmt.Sprintf("user%d", d.peers[0])
		}
		occupants := []string{fmt.Sprint(Me)}
		for _, id := range d.peers {
			occupants = append(occupants, fmt.Sprint(id))
		}
		updated := d.lastAt
		if updated == 0 {
			updated = start.UnixMilli()
		}
		unread := 0
		if i%20 == 0 {
			unread = 1 + i%9
		}
		if _, err := dlgStmt.ExecContext(ctx, dialogID(i), typ, name, Me, "["+strings.Join(occupants, ",")+"]",
			d.lastBody, d.lastID, d.lastAt, d.lastFrom, unread, updated); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `COMMIT`)
	return err
}

func isPrivate(i int) bool { return i%10 < 7 }

func dialogID(i int) string { return fmt.Sprintf("dialog-%05d", i) }

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
