package config

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestParseTokens(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"", 0, true}, {"cls", 0, true}, {"patches:1", 1, true}, {"patches:4", 4, true},
		{"patches:9", 9, true}, {"patches:16", 16, true}, {"patches:8", 0, false},
		{"patches:0", 0, false}, {"patches:x", 0, false}, {"patch:4", 0, false}, {"tokens", 0, false},
	} {
		got, err := ParseTokens(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseTokens(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestFusionKeysValidation: the values of fusion_keys and features.tokens.
func TestFusionKeysValidation(t *testing.T) {
	path := filepath.Join("..", "configs", "exp1_baseline.yaml")
	for _, tc := range []struct {
		sets   []string
		badKey string // "" : valid
	}{
		{nil, ""},
		{[]string{"model.fusion_keys=tokens"}, ""}, // one key: the class token's
		{[]string{"model.fusion_keys=tokens", "features.tokens=patches:16"}, ""},
		{[]string{"features.tokens=patches:16"}, ""},
		{[]string{"features.tokens=patches:12"}, "features.tokens"},
		{[]string{"model.fusion_keys=patches"}, "model.fusion_keys"},
	} {
		c, _, err := Load(path, tc.sets)
		if tc.badKey == "" {
			if err != nil {
				t.Errorf("%v: %v", tc.sets, err)
			} else if c.Model.FusionKeys == "" || c.Features.Tokens == "" {
				t.Errorf("%v: defaults not resolved: fusion_keys %q, tokens %q", tc.sets, c.Model.FusionKeys, c.Features.Tokens)
			}
			continue
		}
		var re *RangeError
		if !errors.As(err, &re) || re.Key != tc.badKey {
			t.Errorf("%v: error %v, want a RangeError on %s", tc.sets, err, tc.badKey)
		}
	}
}
