package transfer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
)

// An export file is two lines of text:
//
//	{"format":"iamd-account-export","version":1,"kdf":"argon2id",...}
//	<base64 of the AES-256-GCM ciphertext of the Document as JSON>
//
// The first line is the Header: readable, so that an operator can see
// which account a file holds and when it was made, and authenticated, as
// the cipher's associated data, so that it cannot be altered. The key is
// Argon2id(passphrase, salt) with the header's parameters (RFC 9106's
// second recommended option: 3 passes over 64 MiB).

// Format names the file format in its header.
const Format = "iamd-account-export"

// FormatVersion is the version of the file format this iamd writes and
// the newest it reads.
const FormatVersion = 1

// EnvPassphrase is the environment variable a passphrase may come from,
// instead of a file.
const EnvPassphrase = "IAMD_EXPORT_PASSPHRASE"

// MinPassphrase is the shortest passphrase accepted: the file holds every
// secret of an account, and an attacker with a copy can guess offline.
const MinPassphrase = 12

// Key derivation parameters written by this iamd, and the bounds on what
// a file may ask for, so that a crafted header cannot make import spend
// unbounded memory or time.
const (
	argonTime      = 3
	argonMemoryKiB = 64 * 1024
	argonThreads   = 4
	maxArgonTime   = 16
	maxArgonMemory = 1024 * 1024 // 1 GiB
	maxArgonThread = 64
)

// Header is the readable first line of an export file.
type Header struct {
	Format   string    `json:"format"`
	Version  int       `json:"version"`
	Account  string    `json:"account"`
	Exported time.Time `json:"exported"`
	// KDF is "argon2id"; Time, MemoryKiB and Threads are its parameters.
	KDF       string `json:"kdf"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
	Nonce     []byte `json:"nonce"`
}

// Errors of reading a file.
var (
	// ErrPassphrase means the file did not decrypt: a wrong passphrase,
	// or a damaged or altered file (GCM cannot tell them apart).
	ErrPassphrase = errors.New("transfer: the file does not decrypt with this passphrase (wrong passphrase, or the file was damaged or altered)")
	// ErrFormat means the file is not an export this iamd can read.
	ErrFormat = errors.New("transfer: not an iamd account export")
)

// CheckPassphrase refuses a passphrase too short to protect the file.
func CheckPassphrase(p []byte) error {
	if utf8.RuneCount(p) < MinPassphrase {
		return fmt.Errorf("transfer: the passphrase must have at least %d characters", MinPassphrase)
	}
	return nil
}

// ReadPassphrase returns the passphrase from the first line of file, or
// from IAMD_EXPORT_PASSPHRASE when file is "". A passphrase is never taken
// from the command line, where other users could read it.
func ReadPassphrase(file string) ([]byte, error) {
	var p []byte
	if file == "" {
		v, ok := os.LookupEnv(EnvPassphrase)
		if !ok {
			return nil, fmt.Errorf("transfer: no passphrase: give --passphrase-file FILE or set %s", EnvPassphrase)
		}
		p = []byte(v)
	} else {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("transfer: passphrase: %w", err)
		}
		line, _, _ := bytes.Cut(b, []byte("\n"))
		p = bytes.TrimRight(line, "\r")
	}
	if err := CheckPassphrase(p); err != nil {
		return nil, err
	}
	return p, nil
}

// deriveKey is Argon2id with the header's parameters.
func deriveKey(passphrase []byte, h *Header) []byte {
	return argon2.IDKey(passphrase, h.Salt, h.Time, h.MemoryKiB, h.Threads, 32)
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Encrypt writes the document as an export file under the passphrase.
func Encrypt(w io.Writer, d *Document, passphrase []byte, now time.Time) error {
	if err := CheckPassphrase(passphrase); err != nil {
		return err
	}
	h := &Header{
		Format: Format, Version: FormatVersion, Account: d.Account.ID, Exported: now.UTC(),
		KDF: "argon2id", Time: argonTime, MemoryKiB: argonMemoryKiB, Threads: argonThreads,
		Salt: make([]byte, 16), Nonce: make([]byte, 12),
	}
	if _, err := rand.Read(h.Salt); err != nil {
		return err
	}
	if _, err := rand.Read(h.Nonce); err != nil {
		return err
	}
	head, err := json.Marshal(h)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("transfer: encoding the document: %w", err)
	}
	aead, err := gcm(deriveKey(passphrase, h))
	if err != nil {
		return err
	}
	sealed := aead.Seal(nil, h.Nonce, plain, head)
	clear(plain)
	bw := bufio.NewWriter(w)
	bw.Write(head)
	bw.WriteByte('\n')
	enc := base64.NewEncoder(base64.StdEncoding, bw)
	enc.Write(sealed)
	enc.Close()
	bw.WriteByte('\n')
	return bw.Flush()
}

// maxFile bounds what Decrypt reads: far above any account's size, well
// below what would exhaust memory.
const maxFile = 1 << 30

// Decrypt reads an export file with the passphrase.
func Decrypt(r io.Reader, passphrase []byte) (*Document, *Header, error) {
	br := bufio.NewReader(io.LimitReader(r, maxFile))
	head, err := br.ReadBytes('\n')
	if err != nil {
		return nil, nil, fmt.Errorf("%w: no header line", ErrFormat)
	}
	head = bytes.TrimRight(head, "\r\n")
	h := &Header{}
	if err := json.Unmarshal(head, h); err != nil || h.Format != Format {
		return nil, nil, fmt.Errorf("%w: the first line is not an export header", ErrFormat)
	}
	switch {
	case h.Version < 1 || h.Version > FormatVersion:
		return nil, h, fmt.Errorf("%w: format version %d; this iamd reads up to %d", ErrFormat, h.Version, FormatVersion)
	case h.KDF != "argon2id":
		return nil, h, fmt.Errorf("%w: key derivation %q", ErrFormat, h.KDF)
	case h.Time < 1 || h.Time > maxArgonTime || h.MemoryKiB < 8*uint32(max(h.Threads, 1)) || h.MemoryKiB > maxArgonMemory ||
		h.Threads < 1 || h.Threads > maxArgonThread || len(h.Salt) < 16 || len(h.Nonce) != 12:
		return nil, h, fmt.Errorf("%w: key derivation parameters out of bounds", ErrFormat)
	}
	body, err := io.ReadAll(br)
	if err != nil {
		return nil, h, err
	}
	sealed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(body)))
	if err != nil {
		return nil, h, fmt.Errorf("%w: the body is not base64", ErrFormat)
	}
	aead, err := gcm(deriveKey(passphrase, h))
	if err != nil {
		return nil, h, err
	}
	plain, err := aead.Open(nil, h.Nonce, sealed, head)
	if err != nil {
		return nil, h, ErrPassphrase
	}
	defer clear(plain)
	d := &Document{}
	if err := json.Unmarshal(plain, d); err != nil {
		return nil, h, fmt.Errorf("%w: the document does not decode: %v", ErrFormat, err)
	}
	if d.Account.ID != h.Account {
		return nil, h, fmt.Errorf("%w: the header names account %s, the document %s", ErrFormat, h.Account, d.Account.ID)
	}
	return d, h, nil
}

// clone deep-copies a document.
func (d *Document) clone() (*Document, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	c := &Document{}
	return c, json.Unmarshal(b, c)
}

// Export writes the account (the store's only one when account is "")
// as an export file: `iamd export`. kr is the source's master key, which
// opens the secrets.
func Export(ctx context.Context, st store.Store, kr *seal.Keyring, account string, w io.Writer, passphrase []byte) (*Document, error) {
	if err := CheckPassphrase(passphrase); err != nil {
		return nil, err
	}
	id, err := ChooseAccount(ctx, st, account)
	if err != nil {
		return nil, err
	}
	d, err := Read(ctx, st, kr, id)
	if err != nil {
		return nil, err
	}
	if err := Encrypt(w, d, passphrase, time.Now()); err != nil {
		return nil, err
	}
	return d, nil
}

// Import reads an export file and creates its account in the store:
// `iamd import`. kr is the destination's master key, which seals the
// secrets.
func Import(ctx context.Context, st store.Store, kr *seal.Keyring, r io.Reader, passphrase []byte) (*Document, error) {
	d, _, err := Decrypt(r, passphrase)
	if err != nil {
		return nil, err
	}
	if err := Write(ctx, st, kr, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Summary counts what a document holds, for the commands' output.
func (d *Document) Summary() string {
	keys := len(d.Root.AccessKeys)
	for _, u := range d.Users {
		keys += len(u.AccessKeys)
	}
	return fmt.Sprintf("account %s: %d users, %d groups, %d roles, %d customer managed policies, %d instance profiles, %d access keys, %d MFA devices, %d identity providers, %d server certificates",
		d.Account.ID, len(d.Users), len(d.Groups), len(d.Roles), len(d.Policies), len(d.InstanceProfiles), keys,
		len(d.MFADevices), len(d.OIDCProviders)+len(d.SAMLProviders), len(d.ServerCertificates))
}
