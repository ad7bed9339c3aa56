// Package rekey rotates the master key of a data directory and re-seals
// every secret in the store under the new key: `iamd keys rotate-master`.
//
// A rotation runs in three steps, each safe to interrupt:
//
//  1. Rotate: a new key becomes the active one in the key file; the old
//     keys stay, so every existing ciphertext still opens.
//  2. Reseal: every sealed column (store.SealedColumns) is read page by
//     page; each ciphertext sealed by an old key is opened and sealed again
//     under the active key, and written back with a compare-and-swap
//     (store.Sealed.ReplaceSealed), so a secret changed meanwhile (a key
//     deleted, a device re-created) is never overwritten with its old
//     value. Passes repeat until one finds nothing left to re-seal.
//  3. Retire: only when no ciphertext needs an old key any more, the old
//     keys are removed from the key file.
//
// If a ciphertext does not open (tampered, or sealed by a key the file no
// longer has), the rotation stops before retiring, so that nothing that
// still opens is lost; running Reseal and Retire again after the cause is
// fixed finishes the job.
package rekey

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
)

// DefaultPageSize is how many rows one read and one write transaction
// handle: small enough that a transaction never holds the database for
// long (the server keeps serving between pages).
const DefaultPageSize = 100

// maxPasses bounds the re-seal passes: each pass after the first only
// handles secrets that changed concurrently with the previous one.
const maxPasses = 5

// ErrIncomplete means some ciphertexts are still sealed by an old key after
// a rotation (they did not open, or kept changing), so the old keys were
// kept.
var ErrIncomplete = errors.New("rekey: secrets remain under an old master key; old keys kept")

// Options tunes a rotation. The zero value is the default.
type Options struct {
	// PageSize is the rows per transaction (DefaultPageSize when zero).
	PageSize int
	// Settle is how long to wait after activating the new key before
	// re-sealing, so that running servers switch to it first (zero: twice
	// seal.ReloadInterval; negative: no wait, for a store no server uses).
	Settle time.Duration
}

func (o Options) settle() time.Duration {
	switch {
	case o.Settle < 0:
		return 0
	case o.Settle == 0:
		return 2 * seal.ReloadInterval
	}
	return o.Settle
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Report says what a rotation did. It names rows (ids are not secret),
// never a secret or a ciphertext.
type Report struct {
	// NewKeyID is the key id that became active (0 for Reseal alone).
	NewKeyID uint32
	// Resealed counts the secrets re-sealed, by column.
	Resealed map[store.SealedColumn]int
	// Passes is how many passes over the store ran.
	Passes int
	// Failed lists the secrets that did not open, as "column id[/item]".
	Failed []string
	// Retired lists the key ids removed from the key file.
	Retired []uint32
}

// Total is the number of secrets re-sealed in all columns.
func (r Report) Total() int {
	n := 0
	for _, c := range r.Resealed {
		n += c
	}
	return n
}

// RotateMaster rotates the master key of kr (which must come from a key
// file), re-seals every secret of st under the new key and retires the old
// keys. On ErrIncomplete the new key is active and the old ones are kept:
// every secret still opens.
func RotateMaster(ctx context.Context, st store.Store, kr *seal.Keyring, opts Options) (Report, error) {
	id, err := kr.Rotate()
	if err != nil {
		return Report{}, fmt.Errorf("rekey: rotating the master key: %w", err)
	}
	// Running servers notice the new key file within seal.ReloadInterval
	// and seal new secrets with the new key from then on; waiting longer
	// than that before re-sealing means nothing sealed under an old key
	// appears after the last pass, so retiring the old keys is safe while
	// the servers keep running.
	if err := sleep(ctx, opts.settle()); err != nil {
		return Report{NewKeyID: id}, err
	}
	rep, err := Reseal(ctx, st, kr, opts)
	rep.NewKeyID = id
	if err != nil {
		return rep, err
	}
	before := kr.KeyIDs()
	if err := kr.Retire(); err != nil {
		return rep, fmt.Errorf("rekey: retiring old keys: %w", err)
	}
	for _, k := range before {
		if k != kr.ActiveKeyID() {
			rep.Retired = append(rep.Retired, k)
		}
	}
	return rep, nil
}

// Reseal re-seals, under kr's active key, every secret of st that an older
// key sealed, until a pass finds none. It returns ErrIncomplete (with the
// report) when some secrets still need an old key.
func Reseal(ctx context.Context, st store.Store, kr *seal.Keyring, opts Options) (Report, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	rep := Report{Resealed: map[store.SealedColumn]int{}}
	for rep.Passes < maxPasses {
		rep.Passes++
		stale, failed := 0, map[string]bool{}
		for _, col := range store.SealedColumns() {
			n, s, err := resealColumn(ctx, st, kr, col, opts.PageSize, failed)
			if err != nil {
				return rep, err
			}
			rep.Resealed[col] += n
			stale += s
		}
		rep.Failed = rep.Failed[:0]
		for f := range failed {
			rep.Failed = append(rep.Failed, f)
		}
		sort.Strings(rep.Failed)
		if stale == 0 {
			if len(rep.Failed) > 0 {
				return rep, fmt.Errorf("%w: %d did not open: %s", ErrIncomplete, len(rep.Failed), strings.Join(rep.Failed, ", "))
			}
			return rep, nil
		}
	}
	return rep, fmt.Errorf("%w: still changing after %d passes", ErrIncomplete, maxPasses)
}

// resealColumn walks one column. It returns how many secrets it re-sealed
// and how many it found under an old key but could not swap (changed
// concurrently), which calls for another pass; secrets that do not open
// are recorded in failed and not counted as stale (another pass would not
// help).
func resealColumn(ctx context.Context, st store.Store, kr *seal.Keyring, col store.SealedColumn, pageSize int, failed map[string]bool) (resealed, stale int, err error) {
	opts := store.ListOptions{MaxItems: pageSize}
	for {
		var page store.Page[store.SealedSecret]
		if err := st.View(ctx, func(tx store.Tx) error {
			var err error
			page, err = tx.ListSealed(col, opts)
			return err
		}); err != nil {
			return resealed, stale, fmt.Errorf("rekey: listing %s: %w", col, err)
		}
		type swap struct {
			old store.SealedSecret
			new []byte
		}
		var swaps []swap
		for _, s := range page.Items {
			if !kr.NeedsReseal(s.Ciphertext) {
				continue
			}
			fresh, err := kr.Reseal(s.Ciphertext, s.AssociatedData)
			if err != nil {
				failed[name(s)] = true
				continue
			}
			swaps = append(swaps, swap{s, fresh})
		}
		if len(swaps) > 0 {
			var done int
			if err := st.Update(ctx, func(tx store.Tx) error {
				done = 0 // Update may run the function again
				for _, sw := range swaps {
					ok, err := tx.ReplaceSealed(sw.old, sw.new)
					if err != nil {
						return err
					}
					if ok {
						done++
					}
				}
				return nil
			}); err != nil {
				return resealed, stale, fmt.Errorf("rekey: re-sealing %s: %w", col, err)
			}
			resealed += done
			stale += len(swaps) - done
		}
		if !page.Truncated() {
			return resealed, stale, nil
		}
		opts.Marker = page.Marker
	}
}

// name identifies a secret in reports and errors without revealing it.
func name(s store.SealedSecret) string {
	n := string(s.Column) + " " + s.ID
	if s.Item != "" {
		n += "/" + s.Item
	}
	return n
}
