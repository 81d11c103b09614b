package main

import (
	"strings"
	"testing"

	"github.com/fairclip/fairclip/features"
)

// TestInfoShowsTokens: `features info` names the store's token setting.
func TestInfoShowsTokens(t *testing.T) {
	for _, tc := range []struct {
		info features.Info
		want string
	}{
		{features.Info{ClipDim: 768, DType: "float32"}, "tokens     cls (the pooled embedding only)"},
		{features.Info{ClipDim: 768, DType: "float32", Tokens: 16, TokensDType: "float16", Key: features.Key{Tokens: "patches:16"}},
			"tokens     16 pooled patch tokens x 768 x float16 per sample and view (patches:16)"},
	} {
		var b strings.Builder
		if err := writeInfo(&b, tc.info); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("info lacks %q:\n%s", tc.want, b.String())
		}
	}
}
