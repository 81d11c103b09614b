package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/clip"
	"github.com/fairclip/fairclip/data"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func newEmbedCmd() *cobra.Command {
	var (
		job         clip.EmbedJob
		layers, out string
		asJSON      bool
		backendSpec string
	)
	cmd := &cobra.Command{
		Use:   "embed --weights FILE (IMAGE... | --tensor PIXELS.safetensors)",
		Short: "Embed images with a CLIP vision transformer",
		Long: "Loads a CLIP vision tower (HuggingFace or OpenAI names; safetensors, or PyTorch .pt/.pth\n" +
			"archives; ViT-B/32, B/16, L/14, L/14@336 inferred from the weights) and prints one\n" +
			"embedding per image: \"PATH<TAB>values\" lines, --json, or --out FILE.safetensors with\n" +
			"\"embedding\", \"pooled\" and one \"layer.K\" residual-stream tensor per --layers entry.\n" +
			"--tensor takes already-normalized NCHW float32 pixels under the key \"pixel_values\".\n" +
			"Embeddings are not L2-normalized. Backend: --backend, else $GOMLX_BACKEND, else pure Go.",
		RunE: func(cmd *cobra.Command, args []string) error {
			job.Images = args
			if job.Weights == "" {
				return badInput(errors.New("--weights FILE is required"))
			}
			if asJSON && out != "" {
				return badInput(errors.New("give at most one of --json and --out"))
			}
			var err error
			if job.Layers, err = parseLayers(layers); err != nil {
				return badInput(err)
			}
			if job.Backend, err = backend.Resolve(backendSpec, os.Getenv); err != nil {
				return badInput(err)
			}
			if bar := embedProgress(cmd.ErrOrStderr(), len(args)); bar != nil {
				job.Progress = func(done, _ int) { _ = bar.Set(done) }
				defer bar.Finish()
			}
			res, err := clip.RunEmbed(job)
			if err != nil {
				if errors.Is(err, clip.ErrBadInput) {
					return badInput(err)
				}
				return err
			}
			if res.Notice != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), res.Notice)
			}
			w := cmd.OutOrStdout()
			switch {
			case out != "":
				if err := res.WriteSafetensors(out); err != nil {
					return err
				}
				_, err = fmt.Fprintf(w, "wrote %d embeddings (%s, dim %d) to %s\n", res.N, res.Arch.Name(), res.Arch.OutputDim, out)
				return err
			case asJSON:
				return res.WriteJSON(w)
			default:
				return res.WriteText(w)
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&job.Weights, "weights", "", "CLIP weights file (.safetensors, .pt, .pth)")
	f.StringVar(&job.Tensor, "tensor", "", "safetensors file with normalized NCHW float32 \"pixel_values\" instead of images")
	f.StringVar(&job.Prep.Mode, "preprocess", data.PreprocessCLIP, "image preprocessing: clip or reference-stage2")
	f.IntVar(&job.Prep.Resolution, "resolution", 0, "reference-stage2: dataset.resolution images are first resized to (0: 256)")
	f.StringVar(&layers, "layers", "", "comma-separated layers whose residual stream to output (1..L; 0 = after ln_pre)")
	f.BoolVar(&asJSON, "json", false, "print JSON (embeddings and each layer's class token)")
	f.StringVar(&out, "out", "", "write a safetensors file instead of printing")
	f.IntVar(&job.Batch, "batch", clip.DefaultBatchSize, "images per execution")
	f.IntVar(&job.Heads, "heads", 0, "attention heads (0: config.json beside the weights or the safetensors metadata, else width/64 with a notice)")
	f.StringVar(&backendSpec, "backend", "", backendFlagHelp)
	return cmd
}

// parseLayers parses "6,12" into layer numbers.
func parseLayers(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		l, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("--layers %q: %q is not a layer number", s, part)
		}
		out = append(out, l)
	}
	return out, nil
}

// embedProgress returns a progress bar on stderr for runs of several images, or nil when
// stderr is not a terminal.
func embedProgress(stderr io.Writer, n int) *progressbar.ProgressBar {
	f, ok := stderr.(*os.File)
	if n < 2 || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("embedding"), progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100_000_000), progressbar.OptionClearOnFinish())
}
