package managed

import "testing"

// BenchmarkFirstLoad measures what the first call to All, ByName or ByARN
// costs: gunzip, JSON decoding and indexing of the embedded data.
func BenchmarkFirstLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := decode(compressed)
		if err != nil {
			b.Fatal(err)
		}
		if len(c.all) == 0 {
			b.Fatal("no policies decoded")
		}
	}
}

func TestDecodeRejectsCorruptData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not gzip", []byte("[]")},
		{"truncated", compressed[:len(compressed)/2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := decode(tt.data); err == nil {
				t.Errorf("decode(%s) succeeded", tt.name)
			}
		})
	}
}
