package fairloss

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"math"
	"os"
	"strings"
	"testing"
)

// readJSON decodes testdata file path (gzip-compressed when it ends in .gz) into v.
func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer zr.Close()
		r = zr
	}
	if err := json.NewDecoder(r).Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// points is a JSON point cloud: a list of numbers (1-D) or a list of rows.
type points struct {
	data []float64
	n, d int
}

func (p *points) UnmarshalJSON(b []byte) error {
	var flat []float64
	if err := json.Unmarshal(b, &flat); err == nil {
		p.data, p.n, p.d = flat, len(flat), 1
		return nil
	}
	var rows [][]float64
	if err := json.Unmarshal(b, &rows); err != nil {
		return err
	}
	p.n = len(rows)
	if p.n > 0 {
		p.d = len(rows[0])
	}
	for _, r := range rows {
		p.data = append(p.data, r...)
	}
	return nil
}

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// maxRelErr is max_i |got_i - want_i| / max_i |want_i| (the error relative to the
// gradient's scale, so tiny components do not dominate).
func maxRelErr(t testing.TB, got, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("length %d, want %d", len(got), len(want))
	}
	scale, worst := 0.0, 0.0
	for i := range want {
		scale = math.Max(scale, math.Abs(want[i]))
		worst = math.Max(worst, math.Abs(got[i]-want[i]))
	}
	if scale == 0 {
		return worst
	}
	return worst / scale
}
