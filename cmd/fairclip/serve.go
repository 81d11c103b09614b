package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/fairclip/fairclip/detect"
	"github.com/fairclip/fairclip/serve"
)

func newServeCmd() *cobra.Command {
	var (
		c         serve.Command
		maxMiB    int64
		logFormat string
	)
	cmd := &cobra.Command{
		Use:   "serve --run RUNDIR [--runs DIR] [--addr 127.0.0.1:8080] [--token T]",
		Short: "HTTP detection API over one run's model, and a dashboard of runs, reports and sweeps",
		Long: `serve loads the run's model once and answers POST /v1/detect (the JSON of
'fairclip detect --json'), GET /v1/model, /healthz, /metrics (Prometheus) and
/v1/openapi.json, with a dashboard of the runs and sweeps under --runs at /.

It listens on loopback by default; a non-loopback --addr needs --token (or the
FAIRCLIP_TOKEN environment variable), which turns on bearer-token auth. SIGTERM or
Ctrl-C stops accepting connections and finishes the requests in flight.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.RunDir == "" {
				return badInput(fmt.Errorf("serve: --run RUNDIR is required"))
			}
			if c.Server.Token == "" {
				c.Server.Token = os.Getenv("FAIRCLIP_TOKEN")
			}
			if err := serve.CheckAddr(c.Addr, c.Server.Token); err != nil {
				return badInput(err)
			}
			c.Server.MaxUploadBytes = maxMiB << 20
			var h slog.Handler
			switch logFormat {
			case "text":
				h = slog.NewTextHandler(cmd.ErrOrStderr(), nil)
			case "json":
				h = slog.NewJSONHandler(cmd.ErrOrStderr(), nil)
			default:
				return badInput(fmt.Errorf("serve: --log-format %q: want text or json", logFormat))
			}
			c.Server.Logger = slog.New(h)
			out := cmd.OutOrStdout()
			c.Ready = func(a net.Addr) { fmt.Fprintf(out, "fairclip serve: listening on http://%s/\n", a) }
			if err := serve.RunUntilSignal(cmd.Context(), c); err != nil {
				return err
			}
			fmt.Fprintln(out, "fairclip serve: stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.RunDir, "run", "", "run folder whose model answers detections")
	f.StringVar(&c.Server.RunsDir, "runs", "", "folder of run folders and sweeps shown on the dashboard")
	f.StringVar(&c.Addr, "addr", serve.DefaultAddr, "listening address; non-loopback needs --token")
	f.StringVar(&c.Server.Token, "token", "", "bearer token required on every route but /healthz (default: $FAIRCLIP_TOKEN)")
	f.StringVar(&c.Detect.Checkpoint, "checkpoint", "", "best (default), latest, or a checkpoint file of the run")
	f.StringVar(&c.Detect.Threshold, "threshold", "", "decision threshold: a value, or eer|youden|best-acc from the run's validation scores (default 0.5)")
	f.IntVar(&c.Detect.Frames, "frames", detect.DefaultFrames, "frames sampled evenly per video")
	f.StringVar(&c.Detect.Backend, "backend", "", backendFlagHelp)
	f.Int64Var(&maxMiB, "max-upload", 64, "largest request body in MiB (413 above it)")
	f.IntVar(&c.Server.MaxConcurrent, "concurrency", 16, "detection requests running at once (their faces share model batches)")
	f.IntVar(&c.Server.QueueSize, "queue", 32, "detection requests waiting for a slot before 429")
	f.DurationVar(&c.Server.RequestTimeout, "timeout", 2*time.Minute, "per-request limit on queueing plus detection (504 after it)")
	f.StringVar(&logFormat, "log-format", "text", "request log format on stderr: text or json")
	return cmd
}
