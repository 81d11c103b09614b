package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseTokens reads features.tokens: "cls" (or "") is 0 extra tokens, "patches:K" is K
// pooled patch tokens, K a perfect square (4, 9, 16, ...; 1 is the global average).
func ParseTokens(s string) (int, error) {
	if s == "" || s == "cls" {
		return 0, nil
	}
	rest, ok := strings.CutPrefix(s, "patches:")
	if !ok {
		return 0, fmt.Errorf("want cls or patches:K (K a square: 4, 9, 16, ...)")
	}
	k, err := strconv.Atoi(rest)
	if err != nil || k < 1 {
		return 0, fmt.Errorf("patches:K needs a positive integer K, got %q", rest)
	}
	if g := int(math.Round(math.Sqrt(float64(k)))); g*g != k {
		return 0, fmt.Errorf("patches:%d: K must be a square (the tokens form a sqrt(K) x sqrt(K) grid): 4, 9, 16, ...", k)
	}
	return k, nil
}
