package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/iamd/iamd/internal/store"
)

// KeyUseFlushInterval is how often recorded access-key uses reach the store.
// Recording is off the request path and coalesced per key, so that a busy
// key costs one write per interval instead of one per request.
const KeyUseFlushInterval = time.Second

// keyUses collects the latest use of each access key until the next flush.
type keyUses struct {
	mu      sync.Mutex
	pending map[string]store.KeyUse
}

func newKeyUses() *keyUses { return &keyUses{pending: map[string]store.KeyUse{}} }

// record notes a use; a later use of the same key replaces an earlier one.
func (k *keyUses) record(u store.KeyUse) {
	k.mu.Lock()
	if prev, ok := k.pending[u.AccessKeyID]; !ok || u.Time.After(prev.Time) {
		k.pending[u.AccessKeyID] = u
	}
	k.mu.Unlock()
}

// take returns and clears what is pending.
func (k *keyUses) take() []store.KeyUse {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.pending) == 0 {
		return nil
	}
	out := make([]store.KeyUse, 0, len(k.pending))
	for _, u := range k.pending {
		out = append(out, u)
	}
	k.pending = map[string]store.KeyUse{}
	return out
}

// FlushKeyUses writes the pending access-key uses in one transaction.
func (s *Server) FlushKeyUses(ctx context.Context) error {
	uses := s.keyUses.take()
	if len(uses) == 0 {
		return nil
	}
	return s.store.Update(ctx, func(tx store.Tx) error { return tx.RecordAccessKeyUse(uses) })
}

// RunKeyUseFlusher flushes every interval until ctx ends, then once more,
// so that a clean shutdown loses no recorded use.
func (s *Server) RunKeyUseFlusher(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.FlushKeyUses(context.Background()); err != nil {
				log.Error("recording access key use", "err", err)
			}
			return
		case <-t.C:
			if err := s.FlushKeyUses(ctx); err != nil && ctx.Err() == nil {
				log.Error("recording access key use", "err", err)
			}
		}
	}
}
