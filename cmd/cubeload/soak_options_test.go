package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSoakFlags(t *testing.T) {
	o, err := parseSoakFlags([]string{"-duration", "1m", "-rate", "600/m", "-engines", "4", "-seed", "9",
		"-intensity", "2", "-cut-every", "1s-2s", "-stall-for", "3s"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Duration != time.Minute || o.Rate != 10 || o.Engines != 4 || o.Seed != 9 || o.Intensity != 2 ||
		o.CutMin != time.Second || o.CutMax != 2*time.Second || o.StallMin != 3*time.Second || o.StallMax != 3*time.Second {
		t.Fatalf("parsed %+v", o)
	}
	for _, bad := range [][]string{
		{"-engines", "2"},
		{"-cut-every", "3s-1s"},
		{"-stall-for", "soon"},
		{"-rate", "0"},
		{"-intensity", "-1"},
		{"-stall-share", "1.5"},
		{"extra"},
	} {
		if _, err := parseSoakFlags(bad, &bytes.Buffer{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	var help bytes.Buffer
	if _, err := parseSoakFlags([]string{"-h"}, &help); err == nil || !strings.Contains(help.String(), "-intensity") {
		t.Fatalf("-h: %v, %q", err, help.String())
	}
}
