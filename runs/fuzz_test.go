package runs

import "testing"

func FuzzParseAndValidate(f *testing.F) {
	for _, ev := range sampleEvents() {
		b, _ := encodeEvent(ev)
		f.Add(b)
	}
	f.Add([]byte(`{"type":"epoch","time":"x"}` + "\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		log, _ := ParseLog("fuzz", data)
		for _, ev := range log.Events {
			if _, ok := ev.(UnknownEvent); ok {
				continue
			}
			// Whatever decodes must encode again.
			if _, err := encodeEvent(ev); err != nil {
				t.Fatalf("re-encode %T: %v", ev, err)
			}
		}
		_ = ValidateEvent(data)
	})
}
