package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/iamd/iamd/internal/server"
)

// CommandOptions are the flags of `iamd export` and `iamd import`.
type CommandOptions struct {
	DataDir  string // the data directory: its master key, and its SQLite database unless Store is set
	Store    string // a postgres:// URL, or "" for the data directory's SQLite database
	Account  string // export: the account; "" for the store's only one
	File     string // export: the file to create; import: the file to read ("-" is standard input)
	Passfile string // the file holding the passphrase; "" reads IAMD_EXPORT_PASSPHRASE
}

// ExportCommand is `iamd export`: it writes the account to a new file
// (mode 0600; an existing file is never overwritten) and reports what it
// wrote on out.
func ExportCommand(ctx context.Context, o CommandOptions, out io.Writer) error {
	if o.File == "" {
		return errors.New("--out FILE is required")
	}
	pass, err := ReadPassphrase(o.Passfile)
	if err != nil {
		return err
	}
	st, kr, err := server.OpenStore(ctx, o.DataDir, o.Store, false)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := os.OpenFile(o.File, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export file: %w", err)
	}
	d, err := Export(ctx, st, kr, o.Account, f, pass)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(o.File)
		return err
	}
	fmt.Fprintf(out, "exported %s to %s\n", d.Summary(), o.File)
	return nil
}

// ImportCommand is `iamd import`: it creates the account of an export
// file in the store, sealing its secrets under the data directory's
// master key (or IAMD_MASTER_KEY).
func ImportCommand(ctx context.Context, o CommandOptions, stdin io.Reader, out io.Writer) error {
	if o.File == "" {
		return errors.New("--in FILE is required (- for standard input)")
	}
	pass, err := ReadPassphrase(o.Passfile)
	if err != nil {
		return err
	}
	in := stdin
	if o.File != "-" {
		f, err := os.Open(o.File)
		if err != nil {
			return fmt.Errorf("import file: %w", err)
		}
		defer f.Close()
		in = f
	}
	st, kr, err := server.OpenStore(ctx, o.DataDir, o.Store, false)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := Import(ctx, st, kr, in, pass)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "imported %s\n", d.Summary())
	return nil
}
