package main

import (
	"strings"
	"testing"
)

// TestServeBadInput: the checks `fairclip serve` makes before loading a model.
func TestServeBadInput(t *testing.T) {
	t.Setenv("FAIRCLIP_TOKEN", "")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, "--run RUNDIR is required"},
		{[]string{"serve", "--run", "x", "--addr", "0.0.0.0:8080"}, "not loopback"},
		{[]string{"serve", "--run", "x", "--addr", ":8080"}, "not loopback"},
		{[]string{"serve", "--run", "x", "--addr", "no-port"}, "no-port"},
		{[]string{"serve", "--run", "x", "--log-format", "xml"}, "--log-format"},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", tc.args, code, stderr, tc.want)
		}
	}
	// A token from the environment allows a non-loopback address: the next error is the
	// missing run folder, not the address.
	t.Setenv("FAIRCLIP_TOKEN", "t")
	code, _, stderr := runCLI(t, "serve", "--run", t.TempDir()+"/missing", "--addr", "0.0.0.0:0")
	if code == 0 || strings.Contains(stderr, "not loopback") {
		t.Errorf("with FAIRCLIP_TOKEN: exit %d, stderr %q", code, stderr)
	}
}
