package runs

import (
	"encoding/binary"
	"hash/crc32"
	"io"
	"math"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC32C is TFRecord's checksum: CRC-32C rotated right by 15 bits plus a constant,
// so that a CRC of data holding CRCs is not trivially related to them.
func maskedCRC32C(data []byte) uint32 {
	c := crc32.Checksum(data, castagnoli)
	return ((c >> 15) | (c << 17)) + 0xa282ead8
}

// writeRecord writes one TFRecord: uint64 length, masked CRC of the length bytes, data,
// masked CRC of data (all little-endian).
func writeRecord(w io.Writer, data []byte) error {
	buf := make([]byte, 0, 16+len(data))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(data)))
	buf = binary.LittleEndian.AppendUint32(buf, maskedCRC32C(buf[:8]))
	buf = append(buf, data...)
	buf = binary.LittleEndian.AppendUint32(buf, maskedCRC32C(data))
	_, err := w.Write(buf)
	return err
}

// Protocol buffer wire encoding of the few tensorflow.Event fields TensorBoard needs:
//
//	Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//	Summary { repeated Value value = 1; }
//	Value   { string tag = 1; float simple_value = 2; }
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

func appendKey(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendBytesField(b []byte, field int, data []byte) []byte {
	b = appendKey(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

func encodeEventHeader(wallTime float64, step int64) []byte {
	b := appendKey(nil, 1, wireFixed64)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(wallTime))
	if step != 0 { // proto3 omits default values
		b = appendKey(b, 2, wireVarint)
		b = binary.AppendUvarint(b, uint64(step))
	}
	return b
}

// encodeFileVersion is the first event of every event file.
func encodeFileVersion(wallTime float64) []byte {
	return appendBytesField(encodeEventHeader(wallTime, 0), 3, []byte("brain.Event:2"))
}

// encodeScalar is an Event with one simple_value summary.
func encodeScalar(wallTime float64, step int64, tag string, v float32) []byte {
	val := appendBytesField(nil, 1, []byte(tag))
	val = appendKey(val, 2, wireFixed32)
	val = binary.LittleEndian.AppendUint32(val, math.Float32bits(v))
	summary := appendBytesField(nil, 1, val)
	return appendBytesField(encodeEventHeader(wallTime, step), 5, summary)
}
