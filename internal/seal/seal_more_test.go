package seal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/iamd/iamd/internal/seal"
)

func b64(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

// TestEveryTamperedByteFails flips each bit position of a sealed message
// in turn (header, nonce, ciphertext and tag alike): none may open.
func TestEveryTamperedByteFails(t *testing.T) {
	kr, err := seal.NewKeyring(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := kr.Seal([]byte("secret access key"), []byte("AKIAEXAMPLE"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range ct {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(ct)
			bad[i] ^= bit
			if pt, err := kr.Open(bad, []byte("AKIAEXAMPLE")); err == nil {
				t.Fatalf("byte %d bit %#x flipped: opened to %q", i, bit, pt)
			}
		}
	}
	for n := range len(ct) {
		if _, err := kr.Open(ct[:n], []byte("AKIAEXAMPLE")); err == nil {
			t.Fatalf("truncated to %d bytes: opened", n)
		}
	}
}

func TestConcurrentFirstStartSharesOneKey(t *testing.T) {
	t.Setenv(seal.EnvMasterKey, "")
	path := filepath.Join(t.TempDir(), "data", "master.key")
	const procs = 16
	rings := make([]*seal.Keyring, procs)
	errs := make([]error, procs)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			rings[i], errs[i] = seal.OpenKeyFile(path)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("opener %d: %v", i, err)
		}
	}
	ct, err := rings[0].Seal([]byte("s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, kr := range rings {
		if _, err := kr.Open(ct, nil); err != nil {
			t.Fatalf("opener %d got another key than opener 0: %v", i, err)
		}
	}
	final, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := final.Open(ct, nil); err != nil {
		t.Fatalf("the key on disk is not the key handed out: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".master.key-*"))
	if len(matches) != 0 {
		t.Fatalf("temporary files left behind: %v", matches)
	}
}

func TestInsecureKeyFileRefused(t *testing.T) {
	t.Setenv(seal.EnvMasterKey, "")
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o666, 0o700} {
		t.Run(fmt.Sprintf("%04o", mode), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "master.key")
			if _, err := seal.OpenKeyFile(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, err := seal.OpenKeyFile(path)
			if mode&0o077 == 0 {
				if err != nil {
					t.Fatalf("mode %04o refused: %v", mode, err)
				}
				return
			}
			if !errors.Is(err, seal.ErrKeyFile) {
				t.Fatalf("mode %04o accepted: %v", mode, err)
			}
		})
	}
}

func TestMalformedKeyFile(t *testing.T) {
	t.Setenv(seal.EnvMasterKey, "")
	cases := []struct{ name, content string }{
		{"empty", ""},
		{"not JSON", "hello"},
		{"no keys", `{"active":1,"keys":{}}`},
		{"active key missing", `{"active":2,"keys":{"1":"` + b64(1) + `"}}`},
		{"short key", `{"active":1,"keys":{"1":"` + base64.StdEncoding.EncodeToString([]byte("short")) + `"}}`},
		{"key not base64", `{"active":1,"keys":{"1":"!!!"}}`},
		{"id not a number", `{"active":1,"keys":{"one":"` + b64(1) + `"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := seal.OpenKeyFile(path); !errors.Is(err, seal.ErrKeyFile) {
				t.Fatalf("OpenKeyFile = %v, want ErrKeyFile", err)
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	old, err := seal.ParseKeys(b64(1))
	if err != nil {
		t.Fatal(err)
	}
	sealedOld, _ := old.Seal([]byte("old"), []byte("row"))
	cases := []struct {
		name    string
		text    string
		active  uint32
		opensV1 bool
		wantErr bool
	}{
		{"one key is id 1", b64(1), 1, true, false},
		{"rotated keys with ids", "2:" + b64(2) + ",1:" + b64(1), 2, true, false},
		{"white space separates", " 2:" + b64(2) + "\n 1:" + b64(1) + " ", 2, true, false},
		{"new key only", "2:" + b64(2), 2, false, false},
		{"several keys without ids", b64(2) + "," + b64(1), 0, false, true},
		{"duplicate id", "1:" + b64(2) + ",1:" + b64(1), 0, false, true},
		{"zero id", "0:" + b64(2), 0, false, true},
		{"not base64", "%%%", 0, false, true},
		{"wrong length", base64.StdEncoding.EncodeToString([]byte("sixteen bytes!!!")), 0, false, true},
		{"empty", " , ", 0, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kr, err := seal.ParseKeys(c.text)
			if c.wantErr {
				if !errors.Is(err, seal.ErrKeyFile) {
					t.Fatalf("ParseKeys = %v, want ErrKeyFile", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if kr.ActiveKeyID() != c.active {
				t.Fatalf("active key %d, want %d", kr.ActiveKeyID(), c.active)
			}
			_, err = kr.Open(sealedOld, []byte("row"))
			if (err == nil) != c.opensV1 {
				t.Fatalf("opening key 1's ciphertext: %v", err)
			}
		})
	}
}

// TestRotationReseal walks a whole master-key rotation: rotate, re-seal
// what the old key sealed, retire the old key.
func TestRotationReseal(t *testing.T) {
	t.Setenv(seal.EnvMasterKey, "")
	path := filepath.Join(t.TempDir(), "master.key")
	kr, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]byte{}
	for _, id := range []string{"AKIA1", "AKIA2", "AKIA3"} {
		rows[id], _ = kr.Seal([]byte("secret-of-"+id), []byte(id))
	}
	// Another process (iamd keys rotate-master) rotates first; this
	// keyring's later rotation must keep that key too.
	other, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Rotate(); err != nil {
		t.Fatal(err)
	}
	sealedByOther, _ := other.Seal([]byte("x"), nil)
	if _, err := kr.Rotate(); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Open(sealedByOther, nil); err != nil {
		t.Fatalf("the other process's key was lost: %v", err)
	}
	for id, ct := range rows {
		if !kr.NeedsReseal(ct) {
			t.Fatalf("%s not flagged", id)
		}
		fresh, err := kr.Reseal(ct, []byte(id))
		if err != nil {
			t.Fatal(err)
		}
		if kr.NeedsReseal(fresh) {
			t.Fatalf("%s still flagged after Reseal", id)
		}
		if _, err := kr.Reseal(ct, []byte("AKIA-other-row")); !errors.Is(err, seal.ErrOpen) {
			t.Fatalf("Reseal with another row's associated data: %v", err)
		}
		rows[id] = fresh
	}
	if err := kr.Retire(); err != nil {
		t.Fatal(err)
	}
	restarted, err := seal.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for id, ct := range rows {
		pt, err := restarted.Open(ct, []byte(id))
		if err != nil || string(pt) != "secret-of-"+id {
			t.Fatalf("%s after retire and restart: %q, %v", id, pt, err)
		}
	}
	if len(restarted.KeyIDs()) != 1 {
		t.Fatalf("keys after Retire: %v", restarted.KeyIDs())
	}
}
