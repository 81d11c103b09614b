package clip

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fairclip/fairclip/safetensors"
)

// WriteSafetensors writes the outputs as "embedding" [N, OutputDim], "pooled" [N, Width]
// and "layer.K" [N, Tokens, Width] per requested layer K, with the architecture, the
// layers and the input names (JSON) in the metadata.
func (e *Embedded) WriteSafetensors(path string) error {
	a := e.Arch
	names := []string{"embedding", "pooled"}
	ts := map[string]safetensors.Tensor{
		"embedding": {Shape: []int{e.N, a.OutputDim}, F32: e.Embedding},
		"pooled":    {Shape: []int{e.N, a.Width}, F32: e.Pooled},
	}
	for i, l := range e.Layers {
		k := "layer." + strconv.Itoa(l)
		names = append(names, k)
		ts[k] = safetensors.Tensor{Shape: []int{e.N, a.Tokens(), a.Width}, F32: e.States[i]}
	}
	inputs, err := json.Marshal(e.Names)
	if err != nil {
		return err
	}
	layers := make([]string, len(e.Layers))
	for i, l := range e.Layers {
		layers[i] = strconv.Itoa(l)
	}
	meta := map[string]string{
		"arch":   a.Name(),
		"inputs": string(inputs),
		"layers": strings.Join(layers, ","),
	}
	return safetensors.WriteFile(path, names, ts, meta)
}

// embeddedJSON is the --json output.
type embeddedJSON struct {
	Arch   archJSON    `json:"arch"`
	Layers []int       `json:"layers,omitempty"`
	Images []imageJSON `json:"images"`
}

type archJSON struct {
	Name string `json:"name"`
	Arch
}

type imageJSON struct {
	Path      string    `json:"path"`
	Embedding []float32 `json:"embedding"`
	// ClassTokens holds, per requested layer, the class token of the residual stream
	// (the full [Tokens, Width] states go to --out files only).
	ClassTokens map[string][]float32 `json:"layer_class_tokens,omitempty"`
}

// WriteJSON writes the embeddings (and the class token of each requested layer's state)
// as one JSON document.
func (e *Embedded) WriteJSON(w io.Writer) error {
	a := e.Arch
	doc := embeddedJSON{Arch: archJSON{Name: a.Name(), Arch: a}, Layers: e.Layers}
	for i, name := range e.Names {
		img := imageJSON{Path: name, Embedding: e.Embedding[i*a.OutputDim : (i+1)*a.OutputDim]}
		if len(e.Layers) > 0 {
			img.ClassTokens = map[string][]float32{}
			for j, l := range e.Layers {
				off := i * a.Tokens() * a.Width
				img.ClassTokens[strconv.Itoa(l)] = e.States[j][off : off+a.Width]
			}
		}
		doc.Images = append(doc.Images, img)
	}
	enc := json.NewEncoder(w)
	return enc.Encode(doc)
}

// WriteText writes one line per input: its name, a tab, and the embedding's values
// separated by spaces.
func (e *Embedded) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	d := e.Arch.OutputDim
	for i, name := range e.Names {
		fmt.Fprintf(bw, "%s\t", name)
		for j, v := range e.Embedding[i*d : (i+1)*d] {
			if j > 0 {
				bw.WriteByte(' ')
			}
			bw.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
