// Package features is fairclip's feature store: the frozen backbone's outputs (CLIP
// embeddings, optionally the Stage 1 adapter's) computed once per sample and view,
// written atomically in shards, and read back through memory mapping.
package features

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Key identifies what a store holds. Every part is kept in clear in meta.json so that a
// mismatch names what changed; the directory name is the hash of all parts.
type Key struct {
	Backbone   string `json:"backbone"`   // weights identity: sha256 of the file, or "random:<arch>:seed=<n>"
	Preprocess string `json:"preprocess"` // preprocessing mode, resolutions, mean/std
	Stage1     string `json:"stage1"`     // Stage 1 adapter identity ("" when not stored)
	Augment    string `json:"augment"`    // augmentation settings: off, or seed and views
	Dataset    string `json:"dataset"`
	Split      string `json:"split"`
	Samples    string `json:"samples"` // hash of the ordered sample list
	// Tokens is what the store keeps besides the pooled embedding: "" (the class
	// token only, features.tokens: cls) or "patches:K". Empty, it is left out of the
	// hash, so single-token stores keep their keys.
	Tokens string `json:"tokens,omitempty"`
}

func (k Key) parts() map[string]string {
	p := map[string]string{
		"backbone": k.Backbone, "preprocess": k.Preprocess, "stage1": k.Stage1,
		"augment": k.Augment, "dataset": k.Dataset, "split": k.Split, "samples": k.Samples,
	}
	if k.Tokens != "" {
		p["tokens"] = k.Tokens
	}
	return p
}

// Hash is the store's directory name: 16 hex digits of sha256 over the parts.
func (k Key) Hash() string {
	p := k.parts()
	names := make([]string, 0, len(p))
	for n := range p {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s=%q\n", n, p[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Diff lists the key parts that differ between k and other ("part: stored -> wanted").
func (k Key) Diff(other Key) []string {
	a, b := k.parts(), other.parts()
	var out []string
	for _, n := range []string{"backbone", "preprocess", "stage1", "augment", "dataset", "split", "samples", "tokens"} {
		if a[n] != b[n] {
			out = append(out, fmt.Sprintf("%s: %q -> %q", n, a[n], b[n]))
		}
	}
	return out
}

// SamplesHash hashes an ordered list of sample ids.
func SamplesHash(ids []string) string {
	h := sha256.New()
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// MismatchError reports a store whose key differs from the wanted one.
type MismatchError struct {
	Dir   string
	Diffs []string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("feature store %s was built for other settings (%s); rebuild it with `fairclip extract` or point features.dir elsewhere",
		e.Dir, strings.Join(e.Diffs, "; "))
}
