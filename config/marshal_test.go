package config

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFormatFloat(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{0.0003, "0.0003"}, {1, "1.0"}, {0, "0.0"}, {-2, "-2.0"}, {0.15, "0.15"},
		{1e-8, "1.0e-8"}, {1.5e-7, "1.5e-7"}, {1e-4, "0.0001"}, {1e21, "1.0e+21"},
		{math.Inf(1), ".inf"}, {math.Inf(-1), "-.inf"}, {math.NaN(), ".nan"},
	} {
		if got := formatFloat(tc.f); got != tc.want {
			t.Errorf("formatFloat(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	exp3, _, err := Load(filepath.Join("..", "configs", "exp3_balanced_recovery.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	odd := clone(exp3)
	odd.Logging.ExperimentName = "실험 \"3\"\tv2: #1"
	odd.Loss.ClassWeights = []float64{1, 2.5}
	odd.Dataset.TestDataset = []string{}
	odd.Evaluation.TestDatasets = nil
	odd.Optimizer.Eps = 1.5e-9
	odd.ClipWeights = "C:\\weights\\clip.safetensors"
	for name, c := range map[string]Config{"exp3": exp3, "odd": odd} {
		out, err := Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		back, notices, err := LoadBytes("resolved.yaml", out, nil)
		if err != nil {
			t.Fatalf("%s: reload: %v\n%s", name, err, out)
		}
		if len(notices) != 0 {
			t.Errorf("%s: notices on reload: %v", name, notices)
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("%s: round trip differs:\n got %+v\nwant %+v\n%s", name, back, c, out)
		}
		if !strings.Contains(string(out), Hash(c)) {
			t.Errorf("%s: header lacks the hash", name)
		}
		// Every schema key is written.
		for _, k := range Keys() {
			if !strings.Contains(string(out), leaf(k)+":") {
				t.Errorf("%s: key %s missing from output", name, k)
			}
		}
	}
}

func TestHash(t *testing.T) {
	a, _, err := LoadBytes("a.yaml", []byte("seed: 7\noptimizer:\n  lr: 0.001\n  weight_decay: 0.02\nmodel:\n  dropout: 0.2\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Same values, other key order, comments, notation and a --set.
	b, _, err := LoadBytes("b.yaml", []byte("# 주석\nmodel: {dropout: 2.0e-1}\noptimizer:\n  weight_decay: 0.02\n  lr: 1.0e-3\n"), []string{"seed=7"})
	if err != nil {
		t.Fatal(err)
	}
	h := Hash(a)
	if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("hash %q is not hex sha256", h)
	}
	if Hash(a) != h || Hash(clone(a)) != h {
		t.Error("hash not stable")
	}
	if Hash(b) != h {
		t.Error("key order / notation / --set changed the hash")
	}
	for name, change := range map[string]func(c *Config){
		"lr":              func(c *Config) { c.Optimizer.LR = 0.0011 },
		"experiment_name": func(c *Config) { c.Logging.ExperimentName = "other" },
		"list element":    func(c *Config) { c.Mean[0] = 0.4851 },
		"gate nil":        func(c *Config) { c.Model.GateInitBias = nil },
		"bool":            func(c *Config) { c.Deterministic = false },
		"string split":    func(c *Config) { c.Dataset.TestDataset = []string{"celebdf,dfd", "dfdc"} },
	} {
		c := clone(a)
		change(&c)
		if Hash(c) == h {
			t.Errorf("changing %s did not change the hash", name)
		}
	}
	c := clone(a)
	c.Loss.ClassWeights = []float64{}
	if Hash(c) != h {
		t.Error("an empty list and null should hash alike")
	}
	c.Base = "something.yaml"
	if Hash(c) != h {
		t.Error("base should not enter the hash")
	}
}

func TestFlattenMatchesKeys(t *testing.T) {
	fields := Flatten(Default())
	keys := Keys()
	if len(fields) != len(keys) {
		t.Fatalf("%d fields, %d keys", len(fields), len(keys))
	}
	for i, f := range fields {
		if f.Key != keys[i] {
			t.Errorf("field %d: %s vs %s", i, f.Key, keys[i])
		}
	}
	for _, k := range referenceKeys {
		found := false
		for _, f := range fields {
			found = found || f.Key == k
		}
		if !found {
			t.Errorf("schema lacks original key %s", k)
		}
	}
}
