//go:build noxla || !cgo

package backend

const xlaAvailable = false
