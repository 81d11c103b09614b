package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/fairclip/fairclip/detect"
)

func newDetectCmd() *cobra.Command {
	var (
		opts            detect.Options
		run             string
		asJSON, asCSV   bool
		progressSetting string
	)
	cmd := &cobra.Command{
		Use:   "detect --run RUNDIR [--checkpoint best|latest|FILE] [--threshold 0.5|VALUE|eer|youden|best-acc] INPUT...",
		Short: "Score images, videos and folders with a trained run: per face, frame and video",
		Long: "Finds faces in each image or sampled video frame (pigo, pico's facefinder cascade), crops each\n" +
			"face the way the training data was cropped (1.3x the face box, square), and scores it with the\n" +
			"run's preprocessing, CLIP backbone, Stage 1 adapter and Stage 2 head. Inputs are images (JPEG,\n" +
			"PNG, WebP), videos (anything ffmpeg reads; Debian package ffmpeg) and folders, walked\n" +
			"recursively. A video's probability is the mean of its frames' (frames with a face); a frame's\n" +
			"or image's is the max over its faces. Prob >= threshold is labelled fake.\n" +
			"Exit status: 0 every input scored, 1 some input failed (each reported), 2 usage or the run\n" +
			"could not be loaded. See docs/detect.md.",
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if run == "" {
				return badInput(errors.New("--run RUNDIR is required"))
			}
			if len(args) == 0 {
				return badInput(errors.New("give at least one image, video or folder"))
			}
			if asJSON && asCSV {
				return badInput(errors.New("--json and --csv exclude each other"))
			}
			d, err := detect.Load(run, opts)
			if err != nil {
				return badInput(err)
			}
			defer d.Close()
			var bar *progressbar.ProgressBar
			showBar := progressSetting == "on" || (progressSetting == "auto" && isTerminal(cmd.ErrOrStderr()))
			progress := func(done, total int) {
				if !showBar || total < 2 {
					return
				}
				if bar == nil {
					bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
						progressbar.OptionSetDescription("detect"), progressbar.OptionShowCount(),
						progressbar.OptionThrottle(100_000_000), progressbar.OptionClearOnFinish())
				}
				_ = bar.Set(done)
			}
			results, skipped := d.DetectPaths(context.Background(), args, progress)
			if bar != nil {
				_ = bar.Finish()
			}
			rep := detect.NewReport(d.Model(), results)
			rep.Skipped = skipped
			out := cmd.OutOrStdout()
			switch {
			case asJSON:
				err = detect.WriteJSON(out, rep)
			case asCSV:
				err = detect.WriteCSV(out, rep)
			default:
				err = detect.WriteTable(out, rep)
			}
			if err != nil {
				return err
			}
			if rep.Failed > 0 {
				return fmt.Errorf("%d of %d input file(s) failed", rep.Failed, len(rep.Results))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&run, "run", "", "run folder (config.yaml, checkpoints, validation scores)")
	f.StringVar(&opts.Checkpoint, "checkpoint", "best", "best, latest, or a checkpoint file of the run's configuration")
	f.StringVar(&opts.Threshold, "threshold", "", "decision threshold: a value (default 0.5), or eer, youden, best-acc, fpr=X on the run's validation scores")
	f.IntVar(&opts.Frames, "frames", 0, fmt.Sprintf("frames sampled evenly per video (default %d, DeepfakeBench's test protocol)", detect.DefaultFrames))
	f.BoolVar(&opts.NoFaceDetect, "no-face-detect", false, "score the whole image or frame (inputs that are already face crops)")
	f.IntVar(&opts.MaxPixels, "max-pixels", 0, fmt.Sprintf("largest image or frame, width*height (default %d)", detect.DefaultMaxPixels))
	f.StringVar(&opts.Backend, "backend", "", backendFlagHelp)
	f.IntVar(&opts.Workers, "workers", 0, "files decoded and cropped in parallel (default: number of CPUs)")
	f.IntVar(&opts.Batch, "batch", 0, "faces per model call (default 32)")
	f.IntVar(&opts.MinFaceSize, "min-face", 0, "smallest face side searched, in pixels (default: 10% of the shorter side, at least 20)")
	f.StringVar(&opts.Cascade, "face-cascade", "", "pico-format face cascade file (default: the embedded facefinder)")
	f.BoolVar(&asJSON, "json", false, "print JSON (model identity and one result per file)")
	f.BoolVar(&asCSV, "csv", false, "print CSV (one row per face, frame or failed file)")
	f.StringVar(&progressSetting, "progress", "auto", "progress bar on stderr: auto (when a terminal), on, off")
	return cmd
}
