// Package seal encrypts secrets above the store, as Vault's barrier does:
// secret access keys, TOTP seeds and service credential passwords reach the
// database only as AES-256-GCM ciphertexts under a master key the database
// never sees. Each ciphertext names the key that sealed it, so that the
// master key can be rotated (a new active key seals; old keys still open)
// and everything re-sealed without downtime.
//
// Ciphertext layout: version (1 byte, 1) | key id (4 bytes, big endian) |
// nonce (12 bytes) | GCM ciphertext and tag. The version and key id are part
// of the authenticated data, with the caller's associated data, which binds
// a ciphertext to its row (the access key id, the MFA serial): moved to
// another row, it does not open.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// EnvMasterKey names the environment variable that may carry the master
// keys instead of a key file (see ParseKeys).
const EnvMasterKey = "IAMD_MASTER_KEY"

const (
	version   = 1
	keyLen    = 32
	nonceLen  = 12
	headerLen = 1 + 4 + nonceLen
)

// Errors of the package.
var (
	// ErrOpen means a ciphertext did not open: wrong key, wrong associated
	// data, or tampering. Deliberately one error for all three.
	ErrOpen = errors.New("seal: ciphertext does not open")
	// ErrUnknownKey means a ciphertext names a key the keyring lacks.
	ErrUnknownKey = errors.New("seal: ciphertext sealed by an unknown key")
	// ErrKeyFile means the key file is unusable (format or permissions).
	ErrKeyFile = errors.New("seal: bad key file")
)

// Keyring holds the master keys: one active key that seals, all keys open.
// It is safe for concurrent use.
type Keyring struct {
	mu     sync.RWMutex
	active uint32
	aeads  map[uint32]cipher.AEAD
	raw    map[uint32][]byte
	path   string // "" when the keys came from the environment
	// stamp identifies the key file's content this keyring holds, and
	// checked is when the file was last looked at (unix nanoseconds), so
	// that a running server follows a rotation done by another process
	// (iamd keys rotate-master) without a restart.
	stamp   fileStamp
	checked atomic.Int64
}

// fileStamp is what tells a changed key file: its modification time and
// size.
type fileStamp struct {
	mod  time.Time
	size int64
}

// ReloadInterval is how often at most a keyring looks at its key file for
// a change made by another process. iamd keys rotate-master waits longer
// than this after making a new key active, so that every running server
// seals with the new key before old ciphertexts are re-sealed.
const ReloadInterval = time.Second

func stampOf(fi os.FileInfo) fileStamp { return fileStamp{mod: fi.ModTime(), size: fi.Size()} }

// refresh reloads the key file if it changed since it was read; with force
// it looks at once, else at most every ReloadInterval. A key file that
// cannot be read or parsed leaves the current keys in place: a server
// keeps working through a botched edit.
func (kr *Keyring) refresh(force bool) {
	if kr.path == "" {
		return
	}
	now := time.Now().UnixNano()
	if !force && now-kr.checked.Load() < int64(ReloadInterval) {
		return
	}
	kr.checked.Store(now)
	fi, err := os.Stat(kr.path)
	if err != nil {
		return
	}
	kr.mu.RLock()
	same := kr.stamp == stampOf(fi)
	kr.mu.RUnlock()
	if same {
		return
	}
	fresh, err := readKeyFile(kr.path, fi)
	if err != nil {
		return
	}
	kr.mu.Lock()
	kr.active, kr.aeads, kr.raw, kr.stamp = fresh.active, fresh.aeads, fresh.raw, fresh.stamp
	kr.mu.Unlock()
}

// keyFile is the on-disk form: key ids to base64 keys, and the active id.
type keyFile struct {
	Active uint32            `json:"active"`
	Keys   map[string]string `json:"keys"`
}

// NewKeyring returns a keyring with one key, active, id 1 (for tests and
// the environment variable).
func NewKeyring(key []byte) (*Keyring, error) {
	kr := &Keyring{aeads: map[uint32]cipher.AEAD{}, raw: map[uint32][]byte{}}
	if err := kr.add(1, key); err != nil {
		return nil, err
	}
	kr.active = 1
	return kr, nil
}

// OpenKeyFile returns the keyring of the master key file at path, creating
// it with one random key (mode 0600, parent directories 0700) when it does
// not exist. A key file that group or others can read is refused: the
// master key protects every secret in the store. When IAMD_MASTER_KEY is
// set, it is used instead (see ParseKeys) and no file is read or written.
//
// Two processes starting at once on a new data directory (iamd serve and
// iamd account create) get the same key: the file is created by linking a
// complete temporary file into place, which fails if another process got
// there first, and the loser reads the winner's key.
func OpenKeyFile(path string) (*Keyring, error) {
	if env := os.Getenv(EnvMasterKey); env != "" {
		kr, err := ParseKeys(env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvMasterKey, err)
		}
		return kr, nil
	}
	return openFile(path)
}

// ParseKeys reads master keys given as text (IAMD_MASTER_KEY, or a
// configuration value): keys separated by commas or white space, each
// base64 of 32 bytes, optionally prefixed by its key id and a colon
// ("2:base64,1:base64"). The first key is active. A key without an id is
// key 1, the id of the first key of a key file, so that a file's single
// key can move into the environment unchanged; after a rotation, give
// every key with its id, as the key file lists them.
func ParseKeys(text string) (*Keyring, error) {
	kr := &Keyring{aeads: map[uint32]cipher.AEAD{}, raw: map[uint32][]byte{}}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	if len(fields) == 0 {
		return nil, fmt.Errorf("%w: no key", ErrKeyFile)
	}
	for i, f := range fields {
		id := uint64(1)
		if idText, b64, ok := strings.Cut(f, ":"); ok {
			n, err := strconv.ParseUint(idText, 10, 32)
			if err != nil || n == 0 {
				return nil, fmt.Errorf("%w: key %d: id %q is not a positive number", ErrKeyFile, i+1, idText)
			}
			id, f = n, b64
		} else if len(fields) > 1 {
			return nil, fmt.Errorf("%w: key %d: several keys need ids (id:base64)", ErrKeyFile, i+1)
		}
		key, err := base64.StdEncoding.DecodeString(f)
		if err != nil {
			return nil, fmt.Errorf("%w: key %d is not base64", ErrKeyFile, i+1)
		}
		if _, dup := kr.aeads[uint32(id)]; dup {
			return nil, fmt.Errorf("%w: key id %d given twice", ErrKeyFile, id)
		}
		if err := kr.add(uint32(id), key); err != nil {
			return nil, err
		}
		if i == 0 {
			kr.active = uint32(id)
		}
	}
	return kr, nil
}

// openFile reads the key file, creating it first if it does not exist.
func openFile(path string) (*Keyring, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return createKeyFile(path)
	case err != nil:
		return nil, err
	case fi.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("%w: %s is accessible by group or others (mode %v); chmod 600 it", ErrKeyFile, path, fi.Mode().Perm())
	}
	return readKeyFile(path, fi)
}

// readKeyFile parses the key file at path, whose FileInfo is fi.
func readKeyFile(path string, fi os.FileInfo) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrKeyFile, path, err)
	}
	kr := &Keyring{aeads: map[uint32]cipher.AEAD{}, raw: map[uint32][]byte{}, path: path, active: kf.Active, stamp: stampOf(fi)}
	kr.checked.Store(time.Now().UnixNano())
	for id, k := range kf.Keys {
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%w: key id %q", ErrKeyFile, id)
		}
		key, err := base64.StdEncoding.DecodeString(k)
		if err != nil {
			return nil, fmt.Errorf("%w: key %s is not base64", ErrKeyFile, id)
		}
		if err := kr.add(uint32(n), key); err != nil {
			return nil, err
		}
	}
	if kr.aeads[kr.active] == nil {
		return nil, fmt.Errorf("%w: active key %d missing", ErrKeyFile, kr.active)
	}
	return kr, nil
}

func createKeyFile(path string) (*Keyring, error) {
	key := make([]byte, keyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	kr, err := NewKeyring(key)
	if err != nil {
		return nil, err
	}
	kr.path = path
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	err = kr.write(func(tmp string) error { return os.Link(tmp, path) })
	if errors.Is(err, os.ErrExist) {
		// Another process created the file first: use its key.
		return openFile(path)
	}
	if err != nil {
		return nil, err
	}
	return kr, nil
}

func (kr *Keyring) add(id uint32, key []byte) error {
	if len(key) != keyLen {
		return fmt.Errorf("%w: key %d is %d bytes, want %d", ErrKeyFile, id, len(key), keyLen)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	kr.aeads[id] = aead
	kr.raw[id] = append([]byte(nil), key...)
	return nil
}

// save writes the key file atomically (temporary file, fsync, rename,
// fsync of the directory), so that a crash never leaves a half-written or
// vanished master key.
func (kr *Keyring) save() error {
	return kr.write(func(tmp string) error { return os.Rename(tmp, kr.path) })
}

// write puts the key file in place with install (rename to replace, link
// to create only if absent) from a complete, synced temporary file.
func (kr *Keyring) write(install func(tmp string) error) error {
	kf := keyFile{Active: kr.active, Keys: map[string]string{}}
	for id, k := range kr.raw {
		kf.Keys[strconv.FormatUint(uint64(id), 10)] = base64.StdEncoding.EncodeToString(k)
	}
	b, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(kr.path)
	tmp, err := os.CreateTemp(dir, ".master.key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := install(tmp.Name()); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: not every file system syncs directories
		d.Close()
	}
	return nil
}

func header(id uint32) []byte {
	h := make([]byte, 5, headerLen)
	h[0] = version
	binary.BigEndian.PutUint32(h[1:], id)
	return h
}

func aad(hdr, associated []byte) []byte {
	return append(append(make([]byte, 0, len(hdr)+len(associated)), hdr...), associated...)
}

// Seal encrypts plaintext under the active key, bound to associatedData.
func (kr *Keyring) Seal(plaintext, associatedData []byte) ([]byte, error) {
	kr.refresh(false)
	kr.mu.RLock()
	id, aead := kr.active, kr.aeads[kr.active]
	kr.mu.RUnlock()
	hdr := header(id)
	nonce := make([]byte, nonceLen)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append(hdr, nonce...)
	return aead.Seal(out, nonce, plaintext, aad(hdr, associatedData)), nil
}

// Open decrypts a ciphertext made by Seal with the same associated data.
func (kr *Keyring) Open(ciphertext, associatedData []byte) ([]byte, error) {
	if len(ciphertext) < headerLen+16 || ciphertext[0] != version {
		return nil, ErrOpen
	}
	id := binary.BigEndian.Uint32(ciphertext[1:5])
	kr.mu.RLock()
	aead := kr.aeads[id]
	kr.mu.RUnlock()
	if aead == nil {
		// Sealed by a key another process added (a rotation): look at
		// the key file now rather than fail.
		kr.refresh(true)
		kr.mu.RLock()
		aead = kr.aeads[id]
		kr.mu.RUnlock()
	}
	if aead == nil {
		return nil, ErrUnknownKey
	}
	pt, err := aead.Open(nil, ciphertext[5:headerLen], ciphertext[headerLen:], aad(ciphertext[:5], associatedData))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// NeedsReseal reports whether a ciphertext was sealed by a key other than
// the active one (what a master-key rotation re-encrypts).
func (kr *Keyring) NeedsReseal(ciphertext []byte) bool {
	if len(ciphertext) < 5 {
		return true
	}
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return binary.BigEndian.Uint32(ciphertext[1:5]) != kr.active
}

// Reseal opens a ciphertext and seals its plaintext again under the active
// key with the same associated data: the step of a master-key rotation
// that re-encrypts one stored secret.
func (kr *Keyring) Reseal(ciphertext, associatedData []byte) ([]byte, error) {
	pt, err := kr.Open(ciphertext, associatedData)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	return kr.Seal(pt, associatedData)
}

// ActiveKeyID returns the id of the key that seals.
func (kr *Keyring) ActiveKeyID() uint32 {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.active
}

// Rotate adds a new random key, makes it the active one and persists the
// key file; older keys stay for opening until everything is re-sealed
// (see Retire). It returns the new key id.
func (kr *Keyring) Rotate() (uint32, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	if kr.path == "" {
		return 0, fmt.Errorf("%w: the master key comes from %s; rotate it there", ErrKeyFile, EnvMasterKey)
	}
	// Keep every key the file holds now, in case another process rotated
	// since this keyring was read: dropping its key would make what it
	// sealed unopenable.
	if onDisk, err := openFile(kr.path); err == nil {
		for id, raw := range onDisk.raw {
			if _, ok := kr.aeads[id]; !ok {
				if err := kr.add(id, raw); err != nil {
					return 0, err
				}
			}
		}
	} else {
		return 0, err
	}
	key := make([]byte, keyLen)
	if _, err := rand.Read(key); err != nil {
		return 0, err
	}
	var next uint32
	for id := range kr.aeads {
		next = max(next, id)
	}
	next++
	if err := kr.add(next, key); err != nil {
		return 0, err
	}
	prev := kr.active
	kr.active = next
	if err := kr.save(); err != nil {
		kr.active = prev
		delete(kr.aeads, next)
		delete(kr.raw, next)
		return 0, err
	}
	return next, nil
}

// Retire removes every key but the active one, once no ciphertext needs
// them, and persists the key file.
func (kr *Keyring) Retire() error {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	for id := range kr.aeads {
		if id != kr.active {
			delete(kr.aeads, id)
			delete(kr.raw, id)
		}
	}
	if kr.path == "" {
		return nil
	}
	return kr.save()
}

// KeyIDs lists the keyring's key ids, ascending.
func (kr *Keyring) KeyIDs() []uint32 {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	ids := make([]uint32, 0, len(kr.aeads))
	for id := range kr.aeads {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
