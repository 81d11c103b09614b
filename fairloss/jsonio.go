package fairloss

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// SinkhornOutput is what `fairclip sinkhorn` prints. Gradients have the shape of the
// input clouds: a list of numbers for a 1-D cloud given as numbers, rows otherwise.
type SinkhornOutput struct {
	Value      float64 `json:"value"`
	GradX      any     `json:"grad_x"`
	GradY      any     `json:"grad_y"`
	Iterations int     `json:"iterations"`
}

// Stage2Output is what `fairclip fairloss` prints.
type Stage2Output struct {
	Value        float64     `json:"value"`
	GradFeatures [][]float64 `json:"grad_features"`
	// Breakdown.Reason is non-empty when the loss is undefined (value 0).
	Breakdown Breakdown `json:"breakdown"`
}

// SinkhornJSON reads {"x", "y", optional "a", "b", "p", "blur", "scaling"} (x and y
// are lists of points; a list of numbers is a 1-D cloud) and computes the divergence.
// Missing or inconsistent fields are errors naming the field.
func SinkhornJSON(r io.Reader) (SinkhornOutput, error) {
	fields, err := readFields(r)
	if err != nil {
		return SinkhornOutput{}, err
	}
	var s Sinkhorn
	if err := required(fields, "p", &s.P); err != nil {
		return SinkhornOutput{}, err
	}
	if err := required(fields, "blur", &s.Blur); err != nil {
		return SinkhornOutput{}, err
	}
	if err := required(fields, "scaling", &s.Scaling); err != nil {
		return SinkhornOutput{}, err
	}
	x, err := readCloud(fields, "x")
	if err != nil {
		return SinkhornOutput{}, err
	}
	y, err := readCloud(fields, "y")
	if err != nil {
		return SinkhornOutput{}, err
	}
	if x.d != y.d {
		return SinkhornOutput{}, fmt.Errorf("field y: points of dimension %d, x has dimension %d: %w", y.d, x.d, ErrDimension)
	}
	var a, b []float64
	if err := optional(fields, "a", &a); err != nil {
		return SinkhornOutput{}, err
	}
	if err := optional(fields, "b", &b); err != nil {
		return SinkhornOutput{}, err
	}
	if a != nil && len(a) != x.n {
		return SinkhornOutput{}, fmt.Errorf("field a: %d weights for %d points of x: %w", len(a), x.n, ErrDimension)
	}
	if b != nil && len(b) != y.n {
		return SinkhornOutput{}, fmt.Errorf("field b: %d weights for %d points of y: %w", len(b), y.n, ErrDimension)
	}
	res, err := s.Divergence(x.data, y.data, x.n, y.n, x.d, a, b)
	if err != nil {
		return SinkhornOutput{}, err
	}
	return SinkhornOutput{
		Value:      res.Value,
		GradX:      x.shape(res.GradX),
		GradY:      y.shape(res.GradY),
		Iterations: res.Iterations,
	}, nil
}

// Stage2JSON reads {"features" (rows), "labels", "subgroups" (-1 unknown), "p", "blur",
// "scaling", "min_samples_per_subgroup", "num_subgroups"} and computes the Stage 2
// fairness loss. Missing or inconsistent fields are errors naming the field.
func Stage2JSON(r io.Reader) (Stage2Output, error) {
	fields, err := readFields(r)
	if err != nil {
		return Stage2Output{}, err
	}
	var s Stage2
	for _, f := range []struct {
		name string
		dst  any
	}{{"p", &s.P}, {"blur", &s.Blur}, {"scaling", &s.Scaling},
		{"min_samples_per_subgroup", &s.MinSamplesPerSubgroup}, {"num_subgroups", &s.NumSubgroups}} {
		if err := required(fields, f.name, f.dst); err != nil {
			return Stage2Output{}, err
		}
	}
	feats, err := readCloud(fields, "features")
	if err != nil {
		return Stage2Output{}, err
	}
	if feats.flat {
		return Stage2Output{}, fmt.Errorf("field features: want a list of rows, got a list of numbers: %w", ErrDimension)
	}
	var labels, subgroups []int
	if err := required(fields, "labels", &labels); err != nil {
		return Stage2Output{}, err
	}
	if err := required(fields, "subgroups", &subgroups); err != nil {
		return Stage2Output{}, err
	}
	if len(labels) != feats.n {
		return Stage2Output{}, fmt.Errorf("field labels: %d values for %d feature rows: %w", len(labels), feats.n, ErrDimension)
	}
	if len(subgroups) != feats.n {
		return Stage2Output{}, fmt.Errorf("field subgroups: %d values for %d feature rows: %w", len(subgroups), feats.n, ErrDimension)
	}
	res, err := s.Loss(feats.data, feats.n, feats.d, labels, subgroups)
	if err != nil {
		return Stage2Output{}, err
	}
	return Stage2Output{
		Value:        res.Value,
		GradFeatures: rowsOf(res.Grad, feats.n, feats.d),
		Breakdown:    res.Breakdown,
	}, nil
}

func readFields(r io.Reader) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(r)
	if err := dec.Decode(&fields); err != nil {
		return nil, fmt.Errorf("decode input: %w", err)
	}
	if fields == nil {
		return nil, fmt.Errorf("decode input: want a JSON object")
	}
	return fields, nil
}

func required(fields map[string]json.RawMessage, name string, dst any) error {
	raw, ok := fields[name]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return fmt.Errorf("field %s: missing", name)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("field %s: %w", name, err)
	}
	return nil
}

func optional(fields map[string]json.RawMessage, name string, dst any) error {
	if _, ok := fields[name]; !ok {
		return nil
	}
	if err := json.Unmarshal(fields[name], dst); err != nil {
		return fmt.Errorf("field %s: %w", name, err)
	}
	return nil
}

// jsonCloud is a point cloud read from JSON.
type jsonCloud struct {
	data []float64
	n, d int
	flat bool // given as a list of numbers (1-D)
}

func readCloud(fields map[string]json.RawMessage, name string) (jsonCloud, error) {
	var raw []json.RawMessage
	if err := required(fields, name, &raw); err != nil {
		return jsonCloud{}, err
	}
	if len(raw) == 0 {
		return jsonCloud{}, fmt.Errorf("field %s: no points: %w", name, ErrEmpty)
	}
	c := jsonCloud{n: len(raw)}
	trimmed := bytes.TrimSpace(raw[0])
	c.flat = len(trimmed) == 0 || trimmed[0] != '['
	for i, r := range raw {
		if c.flat {
			var v float64
			if err := json.Unmarshal(r, &v); err != nil {
				return jsonCloud{}, fmt.Errorf("field %s[%d]: want a number like the first point: %w", name, i, err)
			}
			c.data = append(c.data, v)
			continue
		}
		var row []float64
		if err := json.Unmarshal(r, &row); err != nil {
			return jsonCloud{}, fmt.Errorf("field %s[%d]: want a list of numbers like the first point: %w", name, i, err)
		}
		if i == 0 {
			c.d = len(row)
			if c.d == 0 {
				return jsonCloud{}, fmt.Errorf("field %s[0]: empty point: %w", name, ErrDimension)
			}
		}
		if len(row) != c.d {
			return jsonCloud{}, fmt.Errorf("field %s[%d]: %d coordinates, %s[0] has %d: %w", name, i, len(row), name, c.d, ErrDimension)
		}
		c.data = append(c.data, row...)
	}
	if c.flat {
		c.d = 1
	}
	return c, nil
}

// shape returns g (n×d) in the shape the cloud was given in.
func (c jsonCloud) shape(g []float64) any {
	if c.flat {
		return g
	}
	return rowsOf(g, c.n, c.d)
}

func rowsOf(g []float64, n, d int) [][]float64 {
	out := make([][]float64, n)
	for i := range out {
		out[i] = g[i*d : (i+1)*d]
	}
	return out
}
