package server

import (
	"sync"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/store"
)

// maxCachedKeys bounds the access-key cache; past it the cache starts over
// (a burst of distinct keys costs one store read each, as without a cache).
const maxCachedKeys = 10000

// keyCache keeps verified long-term access keys with their unsealed
// secrets, so that the SigV4 hot path does not read and unseal the key on
// every request. An entry is trusted only while its account's authz
// generation is the one taken before the key was read: every write to the
// account (a key deactivated or deleted, a user renamed) bumps it after
// commit, on this server directly and on others through the store's change
// notifications, so a change takes effect on the very next request, as
// for policies.
type keyCache struct {
	mu sync.RWMutex
	m  map[string]cachedKey
}

type cachedKey struct {
	key    store.AccessKey
	secret []byte
	gen    authz.Generation
}

func newKeyCache() *keyCache { return &keyCache{m: map[string]cachedKey{}} }

// get returns the cached key and secret if they are still current.
func (c *keyCache) get(id string, az *authz.Authorizer) (store.AccessKey, []byte, bool) {
	c.mu.RLock()
	e, ok := c.m[id]
	c.mu.RUnlock()
	if !ok || az.Generation(e.key.Account) != e.gen {
		return store.AccessKey{}, nil, false
	}
	return e.key, e.secret, true
}

// put caches a key read when its account's generation was gen.
func (c *keyCache) put(k store.AccessKey, secret []byte, gen authz.Generation) {
	c.mu.Lock()
	if len(c.m) >= maxCachedKeys {
		c.m = map[string]cachedKey{}
	}
	c.m[k.ID] = cachedKey{key: k, secret: secret, gen: gen}
	c.mu.Unlock()
}
