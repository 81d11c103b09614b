// Command fairclip trains, evaluates and tunes CLIP-based deepfake detectors that must
// be accurate across datasets and fair across demographic subgroups.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// backendFlagHelp is the help of every command's --backend flag.
const backendFlagHelp = "GoMLX backend: cpu (fairclip's SIMD engine; the default unless the configuration's backend key names another), go (GoMLX's pure Go) or xla:/abs/path/pjrt_plugin.so"

// usageError marks errors caused by bad input (exit code 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// badInput wraps err so that the command exits with code 2.
func badInput(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "fairclip",
		Short:         "Train, evaluate and tune fair CLIP-based deepfake detectors",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		// The main job and the pipeline in the order a user runs it.
		newQuickstartCmd(),
		newConfigCmd(),
		newSynthCmd(), newDataCmd(),
		newEmbedCmd(), newExtractCmd(), newFeaturesCmd(),
		newProbeCmd(),
		newTrainCmd(), newEvalCmd(),
		newMetricsCmd(),
		newDetectCmd(),
		newReportCmd(),
		newSweepCmd(),
		newServeCmd(),
		// Cross-checks against the reference implementation.
		newSinkhornCmd(), newFairlossCmd(),
		newVersionCmd(),
	)
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print fairclip's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "fairclip %s\n", version)
			return err
		},
	}
}

// exitCode maps an error to the process exit status: 2 for bad input, 1 otherwise.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "fairclip:", err)
		os.Exit(exitCode(err))
	}
}
