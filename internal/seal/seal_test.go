package seal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamd/iamd/internal/seal"
)

func TestSealOpen(t *testing.T) {
	kr, err := seal.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	ct, err := kr.Seal(secret, []byte("AKIAROW1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, secret) {
		t.Fatal("ciphertext contains the plaintext")
	}
	ct2, _ := kr.Seal(secret, []byte("AKIAROW1"))
	if bytes.Equal(ct, ct2) {
		t.Fatal("two seals of one plaintext are equal: nonce reuse")
	}
	tampered := append([]byte(nil), ct...)
	tampered[len(tampered)-1] ^= 1
	otherKey, _ := seal.NewKeyring(bytes.Repeat([]byte{8}, 32))
	cases := []struct {
		name string
		kr   *seal.Keyring
		ct   []byte
		ad   string
		want error
	}{
		{"round trip", kr, ct, "AKIAROW1", nil},
		{"other row", kr, ct, "AKIAROW2", seal.ErrOpen},
		{"tampered", kr, tampered, "AKIAROW1", seal.ErrOpen},
		{"other master key", otherKey, ct, "AKIAROW1", seal.ErrOpen},
		{"truncated", kr, ct[:10], "AKIAROW1", seal.ErrOpen},
		{"empty", kr, nil, "AKIAROW1", seal.ErrOpen},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pt, err := c.kr.Open(c.ct, []byte(c.ad))
			if c.want == nil {
				if err != nil || !bytes.Equal(pt, secret) {
					t.Fatalf("Open = %q, %v", pt, err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Open error %v, want %v", err, c.want)
			}
		})
	}
}

func TestKeyFile(t *testing.T) {
	t.Setenv(seal.EnvMasterKey, "")
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "master.key")
	kr, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	ct, _ := kr.Seal([]byte("s"), []byte("ad"))
	again, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := again.Open(ct, []byte("ad")); err != nil || string(pt) != "s" {
		t.Fatalf("reopened keyring: %q, %v", pt, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := seal.OpenKeyFile(path); !errors.Is(err, seal.ErrKeyFile) {
		t.Fatalf("world-readable key file accepted: %v", err)
	}
}

func TestRotate(t *testing.T) {
	t.Setenv(seal.EnvMasterKey, "")
	path := filepath.Join(t.TempDir(), "master.key")
	kr, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := kr.Seal([]byte("old"), nil)
	id, err := kr.Rotate()
	if err != nil || id != 2 {
		t.Fatalf("Rotate = %d, %v", id, err)
	}
	if !kr.NeedsReseal(old) {
		t.Error("ciphertext of the previous key not flagged for re-sealing")
	}
	fresh, _ := kr.Seal([]byte("new"), nil)
	if kr.NeedsReseal(fresh) {
		t.Error("ciphertext of the active key flagged for re-sealing")
	}
	// A restart sees both keys and opens both ciphertexts.
	kr2, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range [][]byte{old, fresh} {
		if _, err := kr2.Open(ct, nil); err != nil {
			t.Fatalf("after restart: %v", err)
		}
	}
	if err := kr2.Retire(); err != nil {
		t.Fatal(err)
	}
	if _, err := kr2.Open(old, nil); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("retired key still opens: %v", err)
	}
	if ids := kr2.KeyIDs(); len(ids) != 1 || ids[0] != 2 {
		t.Fatalf("KeyIDs after Retire = %v", ids)
	}
}

func TestEnvKey(t *testing.T) {
	t.Setenv(seal.EnvMasterKey, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)))
	path := filepath.Join(t.TempDir(), "master.key")
	kr, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a key file was written although the key came from the environment")
	}
	if _, err := kr.Rotate(); err == nil {
		t.Fatal("Rotate of an environment key succeeded")
	}
	t.Setenv(seal.EnvMasterKey, "short")
	if _, err := seal.OpenKeyFile(path); err == nil {
		t.Fatal("a malformed environment key was accepted")
	}
}
