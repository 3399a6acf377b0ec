package main

import "testing"

func TestRunRefusesBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"-nope"}},
		{"stray argument", []string{"serve"}},
		{"bad app id", []string{"-app-id", "one"}},
	}
	for _, tc := range tests {
		if err := run(tc.args); err == nil {
			t.Errorf("%s: run(%q) succeeded", tc.name, tc.args)
		}
	}
	if err := run([]string{"-h"}); err != nil {
		t.Errorf("-h: %v", err)
	}
}
