package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// A tiny ingest run goes end to end: the raw reference, both phases over real TLS
// connections, and every message stored, acknowledged and delivered once.
func TestIngestStoresEverythingItCounts(t *testing.T) {
	o, err := parseIngestFlags([]string{"-senders", "3", "-messages", "20", "-runs", "1", "-chunk", "4", "-window", "8"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := ingestOnce(ctx, o, false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 60 || r.Rows != 60 || r.Delivered != 60 || r.Bounced != 0 {
		t.Fatalf("sent %d, stored %d, delivered %d, bounced %d", r.Sent, r.Rows, r.Delivered, r.Bounced)
	}
	if r.RawInsert <= 0 || r.NotStored <= 0 || r.Stored <= 0 || r.Group < 1 {
		t.Fatalf("figures %+v", r)
	}
}

func TestIngestFlagsRefuseAWindowBelowTheChunk(t *testing.T) {
	_, err := parseIngestFlags([]string{"-chunk", "8", "-window", "4"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "window") {
		t.Fatalf("err %v", err)
	}
}
