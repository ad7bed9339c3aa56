package store

import "context"

// ChangeWatcher is implemented by backends that several iamd servers can
// share (PostgreSQL). A server keeps caches above the store (package
// authz's compiled and gathered policies) and invalidates them itself when
// it writes; WatchChanges tells it about the writes the other servers
// commit, so that a change made through one server is enforced by the
// others too. The embedded SQLite store is used by one server only and
// does not implement it.
type ChangeWatcher interface {
	// WatchChanges starts watching and returns once the watch is in
	// place: every transaction that commits after WatchChanges returns,
	// through any server, is reported. changed is called, from one
	// goroutine, with the id of each account whose data a committed
	// transaction changed, shortly after the commit (the backend
	// documents its delay), or with "" when any account may have changed
	// (the watch was interrupted and changes may have been missed). It
	// must be quick: it runs on the watch's own goroutine. Watching ends
	// when ctx ends or the store is closed.
	WatchChanges(ctx context.Context, changed func(account string)) error
}
