package runs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// CRC-32C check values from RFC 3720 appendix B.4 and the common "123456789" check;
// masked values follow TFRecord's rule ((c>>15)|(c<<17)) + 0xa282ead8, worked by hand.
func TestMaskedCRC32C(t *testing.T) {
	ff := bytes.Repeat([]byte{0xff}, 32)
	tests := []struct {
		name        string
		data        []byte
		crc, masked uint32
	}{
		{"empty", nil, 0, 0xa282ead8},
		{"123456789", []byte("123456789"), 0xE3069283, 0xc78ab0e5},
		{"32 zeros", make([]byte, 32), 0x8A9136AA, 0x0fd7fffa},
		{"32 0xff", ff, 0x62A8AB43, 0xf909b029},
	}
	for _, tc := range tests {
		if got := crc32.Checksum(tc.data, castagnoli); got != tc.crc {
			t.Errorf("%s: crc32c = %#x, want %#x", tc.name, got, tc.crc)
		}
		if got := maskedCRC32C(tc.data); got != tc.masked {
			t.Errorf("%s: masked = %#x, want %#x", tc.name, got, tc.masked)
		}
	}
}

// protoField is one decoded protobuf field (test-only decoder, written independently
// of the encoder: it parses the wire format byte by byte).
type protoField struct {
	num, wire int
	varint    uint64
	fixed     uint64
	bytes     []byte
}

func decodeProto(t *testing.T, b []byte) []protoField {
	t.Helper()
	var out []protoField
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			t.Fatalf("bad key varint")
		}
		b = b[n:]
		f := protoField{num: int(key >> 3), wire: int(key & 7)}
		switch f.wire {
		case 0:
			f.varint, n = binary.Uvarint(b)
			b = b[n:]
		case 1:
			f.fixed = binary.LittleEndian.Uint64(b)
			b = b[8:]
		case 5:
			f.fixed = uint64(binary.LittleEndian.Uint32(b))
			b = b[4:]
		case 2:
			l, n := binary.Uvarint(b)
			b = b[n:]
			f.bytes = b[:l]
			b = b[l:]
		default:
			t.Fatalf("unexpected wire type %d", f.wire)
		}
		out = append(out, f)
	}
	return out
}

// readRecords parses a TFRecord stream and checks both CRCs of every record.
func readRecords(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var recs [][]byte
	for len(data) > 0 {
		if len(data) < 12 {
			t.Fatalf("short record header")
		}
		n := binary.LittleEndian.Uint64(data)
		if got, want := binary.LittleEndian.Uint32(data[8:]), maskedCRC32C(data[:8]); got != want {
			t.Fatalf("length crc %#x, want %#x", got, want)
		}
		body := data[12 : 12+n]
		if got, want := binary.LittleEndian.Uint32(data[12+n:]), maskedCRC32C(body); got != want {
			t.Fatalf("data crc %#x, want %#x", got, want)
		}
		recs = append(recs, body)
		data = data[16+n:]
	}
	return recs
}

type scalarEvent struct {
	wallTime float64
	step     int64
	tag      string
	value    float32
	version  string
}

func decodeTBEvent(t *testing.T, b []byte) scalarEvent {
	var ev scalarEvent
	for _, f := range decodeProto(t, b) {
		switch {
		case f.num == 1 && f.wire == 1:
			ev.wallTime = math.Float64frombits(f.fixed)
		case f.num == 2 && f.wire == 0:
			ev.step = int64(f.varint)
		case f.num == 3 && f.wire == 2:
			ev.version = string(f.bytes)
		case f.num == 5 && f.wire == 2:
			for _, v := range decodeProto(t, f.bytes) {
				if v.num != 1 || v.wire != 2 {
					t.Fatalf("summary field %d/%d", v.num, v.wire)
				}
				for _, g := range decodeProto(t, v.bytes) {
					switch {
					case g.num == 1 && g.wire == 2:
						ev.tag = string(g.bytes)
					case g.num == 2 && g.wire == 5:
						ev.value = math.Float32frombits(uint32(g.fixed))
					default:
						t.Fatalf("value field %d/%d", g.num, g.wire)
					}
				}
			}
		default:
			t.Fatalf("event field %d wire %d", f.num, f.wire)
		}
	}
	return ev
}

func TestEncodeScalarBytes(t *testing.T) {
	// Hand-assembled: wall_time 1.5 (0x3FF8000000000000), step 3, tag "a", value 1.0.
	want := []byte{
		0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, // field 1, fixed64
		0x10, 0x03, // field 2, varint 3
		0x2a, 0x0a, // field 5 (summary), 10 bytes
		0x0a, 0x08, // value, 8 bytes
		0x0a, 0x01, 'a', // tag
		0x15, 0, 0, 0x80, 0x3f, // simple_value 1.0f
	}
	if got := encodeScalar(1.5, 3, "a", 1); !bytes.Equal(got, want) {
		t.Errorf("encodeScalar = % x\nwant           % x", got, want)
	}
}

func TestTBWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	w, err := NewTBWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	inputs := []struct {
		tag  string
		step int
		v    float64
	}{{"train/loss", 1, 0.6931}, {"val/auc", 1, 0.5}, {"train/loss", 300, -2.5e-3}, {"x", -1, math.Inf(1)}}
	for _, in := range inputs {
		if err := w.Scalar(in.tag, in.step, in.v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Scalar("late", 1, 1); err == nil {
		t.Error("Scalar after Close succeeded")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	if len(files) != 1 {
		t.Fatalf("event files: %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	recs := readRecords(t, data)
	if len(recs) != 1+len(inputs) {
		t.Fatalf("%d records, want %d", len(recs), 1+len(inputs))
	}
	if ev := decodeTBEvent(t, recs[0]); ev.version != "brain.Event:2" || ev.wallTime < 1e9 {
		t.Errorf("first event = %+v, want file_version brain.Event:2 with a wall time", ev)
	}
	for i, in := range inputs {
		ev := decodeTBEvent(t, recs[i+1])
		want := scalarEvent{tag: in.tag, step: int64(in.step), value: float32(in.v), wallTime: ev.wallTime}
		if fmt.Sprint(ev) != fmt.Sprint(want) || ev.wallTime < 1e9 {
			t.Errorf("record %d = %+v, want %+v", i+1, ev, want)
		}
	}
}
