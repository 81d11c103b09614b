package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFairlossCommandGolden(t *testing.T) {
	path := filepath.Join("..", "..", "fairloss", "testdata", "goldens", "fairloss", "devfair01.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Value float64     `json:"value"`
		Grad  [][]float64 `json:"grad_features"`
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	code, out, msg := runFairlossCLI(t, "fairloss", "--input", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	var got struct {
		Value     float64     `json:"value"`
		Grad      [][]float64 `json:"grad_features"`
		Breakdown struct {
			NumPairs int `json:"num_pairs"`
			Classes  []struct {
				Class   int  `json:"class"`
				Defined bool `json:"defined"`
			} `json:"classes"`
		} `json:"breakdown"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %.200s", err, out)
	}
	if math.Abs(got.Value-want.Value) > 1e-9*want.Value {
		t.Errorf("value %v, want %v", got.Value, want.Value)
	}
	if len(got.Grad) != len(want.Grad) || len(got.Grad[0]) != len(want.Grad[0]) {
		t.Fatalf("grad shape %dx%d", len(got.Grad), len(got.Grad[0]))
	}
	if math.Abs(got.Grad[3][2]-want.Grad[3][2]) > 1e-5*math.Abs(want.Grad[3][2])+1e-9 {
		t.Errorf("grad[3][2] %v, want %v", got.Grad[3][2], want.Grad[3][2])
	}
	if got.Breakdown.NumPairs == 0 || len(got.Breakdown.Classes) != 2 {
		t.Errorf("breakdown %+v", got.Breakdown)
	}
}

func TestFairlossCommandBadInput(t *testing.T) {
	const params = `"p":2,"blur":1e-3,"scaling":0.9,"min_samples_per_subgroup":2,"num_subgroups":8`
	cases := []struct{ name, body, field string }{
		{"missing labels", `{"features":[[0,1],[1,0]],"subgroups":[0,1],` + params + `}`, "labels"},
		{"missing num_subgroups", `{"features":[[0,1]],"labels":[0],"subgroups":[0],"p":2,"blur":1e-3,"scaling":0.9,"min_samples_per_subgroup":2}`, "num_subgroups"},
		{"labels length", `{"features":[[0,1],[1,0]],"labels":[0],"subgroups":[0,1],` + params + `}`, "labels"},
		{"subgroups length", `{"features":[[0,1],[1,0]],"labels":[0,1],"subgroups":[0],` + params + `}`, "subgroups"},
		{"flat features", `{"features":[0,1],"labels":[0,1],"subgroups":[0,1],` + params + `}`, "features"},
		{"ragged features", `{"features":[[0,1],[1]],"labels":[0,1],"subgroups":[0,1],` + params + `}`, "features[1]"},
		{"nan-like", `{"features":[[0,1],[1,"x"]],"labels":[0,1],"subgroups":[0,1],` + params + `}`, "features[1]"},
		{"label 3", `{"features":[[0,1],[1,0]],"labels":[0,3],"subgroups":[0,1],` + params + `}`, "labels[1]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, msg := runFairlossCLI(t, "fairloss", "--input", writeInput(t, c.body))
			if code != 2 || !strings.Contains(msg, c.field) {
				t.Fatalf("exit %d, message %q; want 2 naming %q", code, msg, c.field)
			}
		})
	}
}

func TestFairlossCommandUndefined(t *testing.T) {
	body := `{"features":[[0,1],[1,0],[1,1]],"labels":[0,0,1],"subgroups":[0,1,-1],` +
		`"p":2,"blur":1e-3,"scaling":0.9,"min_samples_per_subgroup":2,"num_subgroups":8}`
	code, out, msg := runFairlossCLI(t, "fairloss", "--input", writeInput(t, body))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	var got struct {
		Value     float64 `json:"value"`
		Breakdown struct {
			Reason string `json:"reason"`
		} `json:"breakdown"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Value != 0 || got.Breakdown.Reason == "" {
		t.Errorf("undefined loss printed %s", out)
	}
}
