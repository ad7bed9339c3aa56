package rekey

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/server"
	"github.com/iamd/iamd/internal/store"
)

// Command is `iamd keys rotate-master`: it rotates the master key of the
// data directory dir ("" = the default) and re-seals the secrets of its
// store (the SQLite database in dir, or the PostgreSQL database at
// storeURL), writing a summary to out. It refuses a data directory that
// has no key file yet, rather than create one: rotating a key nobody uses
// is a mistake in the path.
func Command(ctx context.Context, dir, storeURL string, out io.Writer) error {
	p := server.Paths(dir)
	if os.Getenv(seal.EnvMasterKey) == "" {
		if _, err := os.Stat(p.MasterKey); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("no master key file at %s (is --data right?)", p.MasterKey)
			}
			return err
		}
	}
	st, kr, err := server.OpenStore(ctx, dir, storeURL, false)
	if err != nil {
		return err
	}
	defer st.Close()
	old := kr.ActiveKeyID()
	rep, err := RotateMaster(ctx, st, kr, Options{})
	if rep.NewKeyID != 0 {
		fmt.Fprintf(out, "master key %d is active in %s (was %d)\n", rep.NewKeyID, p.MasterKey, old)
	}
	for _, c := range store.SealedColumns() {
		if n := rep.Resealed[c]; n > 0 {
			fmt.Fprintf(out, "re-sealed %d in %s\n", n, c)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "re-sealed %d secrets in %d pass(es); retired keys %v\n", rep.Total(), rep.Passes, rep.Retired)
	// Servers reading this key file follow it within seal.ReloadInterval
	// (and at once when they meet a ciphertext of a key they lack); a
	// server on another machine holds its own copy, which must be replaced.
	fmt.Fprintf(out, "servers using this key file follow the new key within %v; copy the key file to servers on other machines that share the database\n", seal.ReloadInterval)
	return nil
}
