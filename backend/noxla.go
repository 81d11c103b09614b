//go:build noxla

package backend

const xlaAvailable = false
