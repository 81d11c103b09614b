// Package backend chooses the GoMLX backend for fairclip in one place: fairclip's own
// CPU backend (backend/cpu, on the SIMD kernels) by default, GoMLX's pure-Go backend or an
// XLA PJRT plugin file when asked, never a download.
package backend

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gomlx/gomlx/backends"
	// Registers fairclip's own CPU backend as "cpu".
	_ "github.com/fairclip/fairclip/backend/cpu"
	// Registers the pure-Go backend as "go".
	_ "github.com/gomlx/gomlx/backends/simplego"
)

// CPU is fairclip's own CPU backend (package backend/cpu: GoMLX graphs on fairclip's
// SIMD kernels).
const CPU = "cpu"

// DefaultGo is the configuration of GoMLX's pure-Go backend that "go" selects.
// Ops run sequentially inside one execution: the parallel op executor deadlocked on
// 2 cores in a training step with several matmul gradients (DESIGN.md section 4), and
// sequential execution measured the same speed there. Matmuls still use all cores.
const DefaultGo = "go:ops_sequential"

// EnvVar is the environment variable fairclip reads when no backend is given
// explicitly (the same name GoMLX uses).
const EnvVar = "GOMLX_BACKEND"

// Normalize maps a user's backend spec to a GoMLX configuration string and rejects
// anything that could make GoMLX download a plugin.
//
//	""  or "cpu"         -> CPU (the default)
//	"go"                 -> DefaultGo
//	"go:OPTIONS"         -> as given
//	"xla:/abs/plugin.so" -> as given (the path must be absolute)
func Normalize(spec string) (string, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "" || spec == CPU:
		return CPU, nil
	case spec == "go":
		return DefaultGo, nil
	case strings.HasPrefix(spec, "go:"):
		return spec, nil
	case spec == "xla" || strings.HasPrefix(spec, "xla:"):
		path := strings.TrimPrefix(strings.TrimPrefix(spec, "xla"), ":")
		plugin := strings.SplitN(path, ",", 2)[0]
		if plugin == "" || !filepath.IsAbs(plugin) {
			return "", fmt.Errorf("backend %q: xla needs the absolute path of a PJRT plugin file, e.g. xla:/opt/pjrt/pjrt_c_api_gpu_plugin.so (fairclip never downloads plugins)", spec)
		}
		if !xlaAvailable {
			return "", fmt.Errorf("backend %q: this binary was built without the XLA backend (built with -tags noxla or CGO_ENABLED=0)", spec)
		}
		return spec, nil
	default:
		return "", fmt.Errorf("backend %q: unknown; use \"cpu\", \"go\" or \"xla:/abs/path/plugin.so\"", spec)
	}
}

// Resolve returns the spec to use: the explicit one if non-empty, else the
// environment's GOMLX_BACKEND through getenv, else the default (CPU).
func Resolve(explicit string, getenv func(string) string) (string, error) {
	if explicit == "" && getenv != nil {
		explicit = getenv(EnvVar)
	}
	return Normalize(explicit)
}

// New creates the backend for spec (see Normalize).
func New(spec string) (b backends.Backend, err error) {
	cfg, err := Normalize(spec)
	if err != nil {
		return nil, err
	}
	defer func() {
		// GoMLX reports some construction failures by panicking.
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("backend %q: %v", cfg, r)
		}
	}()
	b, err = backends.NewWithConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("backend %q: %w", cfg, err)
	}
	return b, nil
}

// Builtin lists the backends built into every fairclip binary, for tests that must hold
// on each of them (the PyTorch parity tests): fairclip's CPU backend and GoMLX's
// pure-Go one. XLA needs a plugin file and is not included.
func Builtin() []string { return []string{CPU, DefaultGo} }
