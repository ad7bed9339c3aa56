package seal_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/seal"
)

// TestRunningKeyringFollowsRotation: a server's keyring (running) and the
// rotation command's (rotator) open the same key file. After the rotator
// makes a new key active, the running keyring opens ciphertexts of the new
// key at once and, within ReloadInterval, seals with it; after the
// rotator retires the old key, the running keyring still opens everything
// re-sealed.
func TestRunningKeyringFollowsRotation(t *testing.T) {
	t.Setenv(seal.EnvMasterKey, "")
	path := filepath.Join(t.TempDir(), "master.key")
	running, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rotator, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := running.Seal([]byte("before"), []byte("row"))
	newID, err := rotator.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := rotator.Seal([]byte("after"), []byte("row"))
	if pt, err := running.Open(fresh, []byte("row")); err != nil || string(pt) != "after" {
		t.Fatalf("running keyring cannot open a ciphertext of the new key: %q, %v", pt, err)
	}
	deadline := time.Now().Add(3 * seal.ReloadInterval)
	for running.ActiveKeyID() != newID {
		if time.Now().After(deadline) {
			t.Fatalf("running keyring still seals with key %d, %v after the rotation", running.ActiveKeyID(), 3*seal.ReloadInterval)
		}
		// Seal is what looks at the file (at most every ReloadInterval).
		if _, err := running.Seal([]byte("x"), nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	resealed, err := rotator.Reseal(old, []byte("row"))
	if err != nil {
		t.Fatal(err)
	}
	if err := rotator.Retire(); err != nil {
		t.Fatal(err)
	}
	if pt, err := running.Open(resealed, []byte("row")); err != nil || string(pt) != "before" {
		t.Fatalf("running keyring cannot open a re-sealed ciphertext: %q, %v", pt, err)
	}
	// The retired key is gone for the running keyring too once it reloads.
	deadline = time.Now().Add(3 * seal.ReloadInterval)
	for {
		_, err := running.Open(old, []byte("row"))
		if errors.Is(err, seal.ErrUnknownKey) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("running keyring still opens with the retired key: %v", err)
		}
		_, _ = running.Seal([]byte("x"), nil)
		time.Sleep(50 * time.Millisecond)
	}
}
