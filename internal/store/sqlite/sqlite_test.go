package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlite"
	"github.com/iamd/iamd/internal/store/storetest"
)

// open gives each test a fresh database file in its own directory.
func open(tb testing.TB) store.Store {
	tb.Helper()
	s, err := sqlite.Open(filepath.Join(tb.TempDir(), "iamd.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, open)
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, open)
}
