package serve

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/fairclip/fairclip/detect"
)

// Command is what `fairclip serve` runs: a run's model and a server in front of it.
type Command struct {
	// RunDir is the run folder whose model answers detections.
	RunDir string
	// Detect configures the detector (checkpoint, threshold, frames, ...); its TempDir
	// is set to the server's private folder.
	Detect detect.Options
	// Addr is the listening address (DefaultAddr when empty).
	Addr string
	// Server configures limits, auth and the dashboard.
	Server Options
	// Ready, when not nil, is called with the bound address once the model is loaded and
	// the listener is up.
	Ready func(net.Addr)
}

// Run checks the address, loads the model once, and serves until ctx is done, then
// shuts down cleanly (in-flight requests finish) and removes every temporary file.
func Run(ctx context.Context, c Command) error {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if err := CheckAddr(c.Addr, c.Server.Token); err != nil {
		return err
	}
	// One private parent folder for the server's uploads and the detector's video frames.
	tmp, err := os.MkdirTemp(c.Server.TempDir, "fairclip-serve-")
	if err != nil {
		return fmt.Errorf("serve: private temporary folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o700); err != nil {
		return fmt.Errorf("serve: private temporary folder: %w", err)
	}
	c.Detect.TempDir, c.Server.TempDir = tmp, tmp
	det, err := detect.Load(c.RunDir, c.Detect)
	if err != nil {
		return err
	}
	defer det.Close()
	s, err := New(det, c.Server)
	if err != nil {
		return err
	}
	return s.ListenAndServe(ctx, c.Addr, c.Ready)
}

// RunUntilSignal is Run stopped by SIGTERM or SIGINT: the process keeps serving the
// requests in flight, then returns nil.
func RunUntilSignal(ctx context.Context, c Command) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	return Run(ctx, c)
}
