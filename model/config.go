package model

import "fmt"

// Config is the shape of the Stage 2 head.
type Config struct {
	Dim              int     // CLIP feature size (768 for ViT-L/14)
	Stage1Hidden     int     // hidden size of the frozen Stage 1 adapter A1
	Stage2Hidden     int     // hidden size of the trainable Stage 2 adapter A2
	Heads            int     // cross-attention heads
	ClassifierHidden []int   // hidden sizes of the classifier
	NumClasses       int     // logits (2: real, fake)
	Dropout          float64 // adapters, attention weights, FFN, classifier
	GateInitBias     float64 // initial bias of the gate's last Linear
	Normalize        bool    // L2 normalisations of the reference (normalize_features)
	// Keys selects the cross-attention's keys and values (model.fusion_keys): KeysCLS
	// ("" too) the class token's s1 alone, as the original; KeysTokens s1 of the class
	// token and of Tokens pooled patch tokens (Tokens+1 keys per sample; with Tokens 0
	// the one key of the original through the general attention, same values).
	// Both are left out of JSON when unset, so checkpoints of fusion_keys: cls are
	// byte for byte those from before the option existed.
	Keys   string `json:",omitempty"`
	Tokens int    `json:",omitempty"` // pooled patch tokens per sample under KeysTokens (features.tokens patches:K)
}

// Values of Config.Keys (model.fusion_keys).
const (
	KeysCLS    = "cls"
	KeysTokens = "tokens"
)

// KeyTokens is the number of key/value tokens per sample: 1, or Tokens+1 under
// KeysTokens.
func (c Config) KeyTokens() int {
	if c.Keys == KeysTokens {
		return c.Tokens + 1
	}
	return 1
}

// Validate rejects shapes the head cannot be built with.
func (c Config) Validate() error {
	switch {
	case c.Dim <= 0:
		return fmt.Errorf("model.feature_dim %d: must be positive", c.Dim)
	case c.Stage1Hidden <= 0:
		return fmt.Errorf("model.stage1_hidden_dim %d: must be positive", c.Stage1Hidden)
	case c.Stage2Hidden <= 0:
		return fmt.Errorf("model.stage2_hidden_dim %d: must be positive", c.Stage2Hidden)
	case c.Heads <= 0 || c.Dim%c.Heads != 0:
		return fmt.Errorf("model.fusion_num_heads %d: must be positive and divide feature_dim %d", c.Heads, c.Dim)
	case c.NumClasses != 2:
		return fmt.Errorf("model.num_classes %d: only 2 (real, fake) is supported", c.NumClasses)
	case c.Dropout < 0 || c.Dropout >= 1:
		return fmt.Errorf("model.dropout %g: must be in [0, 1)", c.Dropout)
	case c.Keys != "" && c.Keys != KeysCLS && c.Keys != KeysTokens:
		return fmt.Errorf("model.fusion_keys %q: want %s or %s", c.Keys, KeysCLS, KeysTokens)
	case c.Tokens < 0:
		return fmt.Errorf("%d pooled patch tokens: must be 0 or more", c.Tokens)
	}
	for i, h := range c.ClassifierHidden {
		if h <= 0 {
			return fmt.Errorf("model.classifier_hidden_dims[%d] = %d: must be positive", i, h)
		}
	}
	return nil
}

// HeadsInert reports whether the number of attention heads cannot change the
// model's output: with one query and one key token (fusion_keys: cls) the softmax
// over the key is 1, so every head passes its slice of v through. Only the grouping
// of attention dropout during training depends on the head count. With several key
// tokens each head has its own softmax over them, and the head count matters.
func (c Config) HeadsInert() bool { return c.KeyTokens() == 1 }
