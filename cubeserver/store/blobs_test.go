package store

import (
	"context"
	"errors"
	"testing"
)

func TestBlobLifeCycle(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	owner, other := mustUser(t, s, "owner"), mustUser(t, s, "other")
	hostile := "../../etc/passwd\x00\u202e.jpg"
	b, err := s.CreateBlob(ctx, NewBlob{UID: "0123456789abcdef0123456789abcdef", OwnerID: owner.ID,
		Name: hostile, ContentType: "image/jpeg"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != hostile || b.Public || b.Uploaded || b.Complete() || b.BlobStatus != nil {
		t.Fatalf("new blob = %+v", b)
	}
	if got, err := s.BlobByUID(ctx, b.UID); err != nil || got.ID != b.ID {
		t.Fatalf("BlobByUID = %+v, %v", got, err)
	}

	if _, err := s.CompleteBlob(ctx, b.ID, owner.ID, 3); !errors.Is(err, ErrBlobNotUploaded) {
		t.Fatalf("complete before upload: %v", err)
	}
	if err := s.SetBlobUploaded(ctx, b.ID, 3, "etag"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompleteBlob(ctx, b.ID, other.ID, 3); !errors.Is(err, ErrNotBlobOwner) {
		t.Fatalf("complete by another user: %v", err)
	}
	if _, err := s.CompleteBlob(ctx, b.ID, owner.ID, 4); !errors.Is(err, ErrBlobSizeMismatch) {
		t.Fatalf("complete with a wrong size: %v", err)
	}
	done, err := s.CompleteBlob(ctx, b.ID, owner.ID, 3)
	if err != nil || !done.Complete() || done.Size != 3 || *done.BlobStatus != "complete" || done.SetCompletedAt == nil {
		t.Fatalf("complete = %+v, %v", done, err)
	}
	if _, err := s.CompleteBlob(ctx, b.ID, owner.ID, -1); err != nil {
		t.Fatalf("completing twice must be a no-op: %v", err)
	}
	if err := s.SetBlobUploaded(ctx, b.ID, 5, "x"); !errors.Is(err, ErrBlobCompleted) {
		t.Fatalf("upload after complete: %v", err)
	}

	if _, err := s.DeleteBlob(ctx, b.ID, other.ID); !errors.Is(err, ErrNotBlobOwner) {
		t.Fatalf("delete by another user: %v", err)
	}
	gone, err := s.DeleteBlob(ctx, b.ID, owner.ID)
	if err != nil || gone.UID != b.UID {
		t.Fatalf("delete = %+v, %v", gone, err)
	}
	if _, err := s.BlobByID(ctx, b.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if _, err := s.DeleteBlob(ctx, b.ID, owner.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestCompleteWithoutDeclaredSizeTakesUploaded(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	b, err := s.CreateBlob(ctx, NewBlob{UID: "ab", OwnerID: owner.ID, Name: "a.txt", ContentType: "text/plain"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlobUploaded(ctx, b.ID, 42, "e"); err != nil {
		t.Fatal(err)
	}
	done, err := s.CompleteBlob(ctx, b.ID, owner.ID, -1)
	if err != nil || done.Size != 42 {
		t.Fatalf("complete = %+v, %v", done, err)
	}
}

func TestCreateBlobRefusals(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	owner := mustUser(t, s, "owner")
	ok := NewBlob{UID: "aa", OwnerID: owner.ID, Name: "n", ContentType: "text/plain"}
	if _, err := s.CreateBlob(ctx, ok); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*NewBlob)
	}{
		{"no uid", func(n *NewBlob) { n.UID = "" }},
		{"no owner", func(n *NewBlob) { n.OwnerID = 0 }},
		{"no name", func(n *NewBlob) { n.Name = "" }},
		{"no content type", func(n *NewBlob) { n.ContentType = "" }},
		{"duplicate uid", func(n *NewBlob) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := ok
			tt.edit(&n)
			if _, err := s.CreateBlob(ctx, n); err == nil {
				t.Fatal("CreateBlob accepted bad input")
			}
		})
	}
}

func TestListBlobsPagesOwnOnly(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, b := mustUser(t, s, "a"), mustUser(t, s, "b")
	for i, uid := range []string{"a1", "a2", "a3"} {
		if _, err := s.CreateBlob(ctx, NewBlob{UID: uid, OwnerID: a.ID, Name: uid, ContentType: "text/plain", Public: i == 0}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateBlob(ctx, NewBlob{UID: "b1", OwnerID: b.ID, Name: "b1", ContentType: "text/plain"}); err != nil {
		t.Fatal(err)
	}
	page, total, err := s.ListBlobs(ctx, a.ID, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(page) != 2 || page[0].UID != "a2" || page[1].UID != "a3" {
		t.Fatalf("page = %+v, total %d", page, total)
	}
	all, _, err := s.ListBlobs(ctx, a.ID, 0, 0)
	if err != nil || len(all) != 3 || !all[0].Public || all[1].Public {
		t.Fatalf("all = %+v, %v", all, err)
	}
}
