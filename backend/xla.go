//go:build !noxla && cgo

package backend

// Registers the XLA backend; it needs cgo only to dlopen a plugin given by path.
import _ "github.com/gomlx/gomlx/backends/xla"

const xlaAvailable = true
