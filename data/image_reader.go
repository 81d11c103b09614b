package data

import (
	"image"
	"io"
)

// DecodeImageFrom is DecodeImage on an open source (an upload or a file already
// in memory); name only labels errors. It decodes exactly as DecodeImage does, so
// that an image scored from memory gets the pixels its file would.
func DecodeImageFrom(r io.ReadSeeker, name string) (image.Image, error) {
	m, err := decodeSeeker(r)
	if err != nil {
		return nil, &ImageError{Path: name, Err: err}
	}
	return m, nil
}
