package detect

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"syscall"
)

// sniffLen is the number of leading bytes content sniffing looks at.
const sniffLen = 512

// sniff tells images (the formats the data pipeline decodes: JPEG, PNG, WebP)
// from videos (containers ffmpeg reads) by their leading bytes. It returns "" for
// anything else.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")),
		bytes.HasPrefix(head, []byte{0xff, 0xd8, 0xff}),
		len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return KindImage
	case len(head) >= 12 && bytes.Equal(head[4:8], []byte("ftyp")), // MP4, MOV, 3GP, M4V
		bytes.HasPrefix(head, []byte{0x1a, 0x45, 0xdf, 0xa3}), // Matroska, WebM
		len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("AVI ")),
		bytes.HasPrefix(head, []byte("FLV")),
		bytes.HasPrefix(head, []byte("OggS")),
		bytes.HasPrefix(head, []byte{0x00, 0x00, 0x01, 0xba}),    // MPEG program stream
		bytes.HasPrefix(head, []byte{0x30, 0x26, 0xb2, 0x75}),    // ASF, WMV
		len(head) >= 189 && head[0] == 0x47 && head[188] == 0x47, // MPEG transport stream
		bytes.HasPrefix(head, []byte("GIF8")):
		return KindVideo
	}
	return ""
}

// readHead reads up to n bytes; a short file is not an error.
func readHead(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, n)
	k, err := io.ReadFull(r, buf)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	return buf[:k], err
}

// kindOfOpenError classifies an error opening or reading a path.
func kindOfOpenError(err error) string {
	switch {
	case errors.Is(err, syscall.ELOOP):
		return ErrSymlinkLoop
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return ErrNotFound
	}
	return ErrUnreadable
}
