package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cubechat/cubechat/cube"
)

// Errors of the blob life cycle (create → upload → complete → delete).
var (
	ErrNotBlobOwner     = errors.New("store: only the owner may change the blob")
	ErrBlobNotUploaded  = errors.New("store: the blob's file has not been uploaded")
	ErrBlobSizeMismatch = errors.New("store: declared size does not match the uploaded file")
	ErrBlobCompleted    = errors.New("store: the blob is complete and can no longer be uploaded")
)

// blobStatusComplete is the only non-null blob_status ConnectyCube reports.
const blobStatusComplete = "complete"

// Blob is a stored blob: the wire record plus what only the server needs.
type Blob struct {
	cube.Blob
	OwnerID      int64
	Uploaded     bool  // the file is on disk
	UploadedSize int64 // bytes on disk (0 until Uploaded)
	ETag         string
}

// Complete tells whether the owner declared the upload finished.
func (b Blob) Complete() bool { return b.BlobStatus != nil }

// NewBlob is what CreateBlob stores. The caller generates the uid (it names the file).
type NewBlob struct {
	UID         string
	OwnerID     int64
	Name        string
	ContentType string
	Public      bool
}

// CreateBlob stores a new blob record, not yet uploaded.
func (s *Store) CreateBlob(ctx context.Context, n NewBlob) (Blob, error) {
	if n.UID == "" || n.OwnerID <= 0 || n.Name == "" || n.ContentType == "" {
		return Blob{}, fmt.Errorf("%w: blob uid, owner, name and content type are required", ErrInvalidInput)
	}
	now := nowMS()
	res, err := s.exec(ctx, `INSERT INTO blobs (uid, owner_id, name, content_type, public,
		created_at, updated_at) VALUES (?,?,?,?,?,?,?)`,
		n.UID, n.OwnerID, n.Name, n.ContentType, boolInt(n.Public), now, now)
	if err != nil {
		return Blob{}, fmt.Errorf("store: create blob: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Blob{}, err
	}
	return s.BlobByID(ctx, id)
}

const blobSelect = `SELECT id, uid, owner_id, name, content_type, public, uploaded_size, etag,
	completed_at, created_at, updated_at FROM blobs`

// BlobByID returns a blob by its numeric id, or ErrNotFound.
func (s *Store) BlobByID(ctx context.Context, id int64) (Blob, error) {
	return s.oneBlob(ctx, blobSelect+` WHERE id = ?`, id)
}

// BlobByUID returns a blob by its uid, or ErrNotFound.
func (s *Store) BlobByUID(ctx context.Context, uid string) (Blob, error) {
	return s.oneBlob(ctx, blobSelect+` WHERE uid = ?`, uid)
}

func (s *Store) oneBlob(ctx context.Context, query string, arg any) (Blob, error) {
	rows, err := s.db.QueryContext(ctx, query, arg)
	if err != nil {
		return Blob{}, err
	}
	bs, err := scanBlobs(rows)
	if err != nil {
		return Blob{}, err
	}
	if len(bs) == 0 {
		return Blob{}, fmt.Errorf("%w: blob %v", ErrNotFound, arg)
	}
	return bs[0], nil
}

// SetBlobUploaded records that the blob's file is on disk with size bytes. A complete
// blob refuses (ErrBlobCompleted): its content was declared final.
func (s *Store) SetBlobUploaded(ctx context.Context, id, size int64, etag string) error {
	return s.tx(ctx, func(tx *writeTx) error {
		b, err := blobForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if b.completed.Valid {
			return ErrBlobCompleted
		}
		_, err = tx.ExecContext(ctx, `UPDATE blobs SET uploaded_size = ?, etag = ?, updated_at = ? WHERE id = ?`,
			size, etag, nowMS(), id)
		return err
	})
}

// CompleteBlob marks the owner's uploaded blob complete. size must equal the uploaded
// size; a negative size means "not declared" and takes the uploaded one. Completing a
// complete blob again with the same size is a no-op.
func (s *Store) CompleteBlob(ctx context.Context, id, owner, size int64) (Blob, error) {
	err := s.tx(ctx, func(tx *writeTx) error {
		b, err := blobForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case b.owner != owner:
			return ErrNotBlobOwner
		case !b.uploaded.Valid:
			return ErrBlobNotUploaded
		case size >= 0 && size != b.uploaded.Int64:
			return fmt.Errorf("%w: declared %d bytes, uploaded %d", ErrBlobSizeMismatch, size, b.uploaded.Int64)
		case b.completed.Valid:
			return nil
		}
		now := nowMS()
		_, err = tx.ExecContext(ctx, `UPDATE blobs SET completed_at = ?, updated_at = ? WHERE id = ?`, now, now, id)
		return err
	})
	if err != nil {
		return Blob{}, err
	}
	return s.BlobByID(ctx, id)
}

// DeleteBlob removes the owner's blob record and returns it, so the caller can remove
// the file named by its uid.
func (s *Store) DeleteBlob(ctx context.Context, id, owner int64) (Blob, error) {
	b, err := s.BlobByID(ctx, id)
	if err != nil {
		return Blob{}, err
	}
	if b.OwnerID != owner {
		return Blob{}, ErrNotBlobOwner
	}
	res, err := s.exec(ctx, `DELETE FROM blobs WHERE id = ? AND owner_id = ?`, id, owner)
	if err != nil {
		return Blob{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Blob{}, fmt.Errorf("%w: blob %d", ErrNotFound, id) // deleted concurrently
	}
	return b, nil
}

// ListBlobs returns one page of the owner's blobs (oldest first, like ids) and the
// number of all of them. limit <= 0 = all.
func (s *Store) ListBlobs(ctx context.Context, owner int64, limit, skip int) ([]Blob, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM blobs WHERE owner_id = ?`, owner).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, blobSelect+` WHERE owner_id = ? ORDER BY id LIMIT ? OFFSET ?`,
		owner, sqlLimit(limit), skip)
	if err != nil {
		return nil, 0, err
	}
	bs, err := scanBlobs(rows)
	return bs, total, err
}

// blobState is what the life-cycle checks need, read inside the write transaction.
type blobState struct {
	owner     int64
	uploaded  sql.NullInt64
	completed sql.NullInt64
}

func blobForUpdate(ctx context.Context, tx *writeTx, id int64) (blobState, error) {
	var b blobState
	err := tx.QueryRowContext(ctx, `SELECT owner_id, uploaded_size, completed_at FROM blobs WHERE id = ?`, id).
		Scan(&b.owner, &b.uploaded, &b.completed)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("%w: blob %d", ErrNotFound, id)
	}
	return b, err
}

func scanBlobs(rows *sql.Rows) ([]Blob, error) {
	defer rows.Close()
	var out []Blob
	for rows.Next() {
		var b Blob
		var public int
		var uploaded, completed sql.NullInt64
		var etag sql.NullString
		var created, updated int64
		if err := rows.Scan(&b.ID, &b.UID, &b.OwnerID, &b.Name, &b.ContentType, &public, &uploaded,
			&etag, &completed, &created, &updated); err != nil {
			return nil, err
		}
		b.Public = public != 0
		b.Uploaded = uploaded.Valid
		b.UploadedSize = uploaded.Int64
		b.ETag = etag.String
		if completed.Valid {
			status := blobStatusComplete
			at := cube.TimeOf(msTime(completed.Int64))
			b.BlobStatus, b.SetCompletedAt = &status, &at
			b.Size = uploaded.Int64
		}
		b.CreatedAt = cube.TimeOf(msTime(created))
		b.UpdatedAt = cube.TimeOf(msTime(updated))
		out = append(out, b)
	}
	return out, rows.Err()
}
