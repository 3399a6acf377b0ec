package cache

import (
	"context"
	"errors"
	"testing"
)

func TestAttachmentDownloadState(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	m := newMsg("d1", 1, 1, "")
	m.Attachments = []Attachment{{Type: "image", UID: "u1", Name: "a.jpg"}, {Type: "file", UID: "u2"}}
	upsert(t, db, m)

	if err := db.SetAttachmentDownload(ctx, m.ID, "u1", DownloadRunning); err != nil {
		t.Fatal(err)
	}
	if got := getMsg(t, db, m.ID); got.Attachments[0].Download != DownloadRunning {
		t.Fatalf("state %+v", got.Attachments[0])
	}
	if err := db.SetAttachmentFile(ctx, m.ID, "u1", "/cache/files/u1.jpg"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetAttachmentDownload(ctx, m.ID, "u2", DownloadFailed); err != nil {
		t.Fatal(err)
	}

	// A fresh server copy (no local state) keeps what this machine downloaded.
	m.Attachments = []Attachment{{Type: "image", UID: "u1", Name: "a.jpg", URL: "https://x/u1"}, {Type: "file", UID: "u2"}}
	m.EditedAt = base.Add(1e10)
	upsert(t, db, m)
	got := getMsg(t, db, m.ID).Attachments
	if got[0].LocalPath != "/cache/files/u1.jpg" || got[0].Download != DownloadDone || got[0].URL != "https://x/u1" ||
		got[1].Download != DownloadFailed {
		t.Fatalf("after server copy: %+v", got)
	}
	// The file went missing: forget it.
	if err := db.SetAttachmentDownload(ctx, m.ID, "u1", DownloadNone); err != nil {
		t.Fatal(err)
	}
	if a := getMsg(t, db, m.ID).Attachments[0]; a.LocalPath != "" || a.Download != DownloadNone {
		t.Fatalf("after forgetting: %+v", a)
	}

	tests := []struct {
		name          string
		msg, uid, arg string
		useFile       bool
		notFound      bool
	}{
		{"unknown message", "missing", "u1", "/p", true, true},
		{"unknown uid", m.ID, "u9", "/p", true, true},
		{"empty path", m.ID, "u1", "", true, false},
		{"empty uid", m.ID, "", "/p", true, false},
		{"done without a path", m.ID, "u1", string(DownloadDone), false, false},
		{"unknown state", m.ID, "u1", "teleported", false, false},
	}
	for _, tc := range tests {
		var err error
		if tc.useFile {
			err = db.SetAttachmentFile(ctx, tc.msg, tc.uid, tc.arg)
		} else {
			err = db.SetAttachmentDownload(ctx, tc.msg, tc.uid, DownloadState(tc.arg))
		}
		if err == nil || errors.Is(err, ErrNotFound) != tc.notFound {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
