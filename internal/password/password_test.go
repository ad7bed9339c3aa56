package password_test

import (
	"strings"
	"testing"

	"github.com/iamd/iamd/internal/password"
)

// fast keeps unit tests quick; the production parameters are measured by
// BenchmarkHash.
var fast = password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	t.Parallel()
	h, err := password.Hash("correct horse", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("unexpected hash form %q", h)
	}
	h2, _ := password.Hash("correct horse", fast)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
	cases := []struct {
		name string
		pw   string
		want bool
	}{
		{"right password", "correct horse", true},
		{"wrong password", "correct horsE", false},
		{"empty", "", false},
		{"prefix", "correct", false},
	}
	for _, c := range cases {
		ok, err := password.Verify(c.pw, h)
		if err != nil || ok != c.want {
			t.Errorf("%s: Verify = %v, %v; want %v", c.name, ok, err, c.want)
		}
	}
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	for _, h := range []string{
		"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=1024,t=1,p=1$!!$a2V5",
	} {
		if _, err := password.Verify("x", h); err == nil {
			t.Errorf("Verify accepted malformed hash %q", h)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	h, _ := password.Hash("pw", fast)
	if !password.NeedsRehash(h, password.Default) {
		t.Error("weak hash not flagged for rehash")
	}
	if password.NeedsRehash(h, fast) {
		t.Error("hash flagged although parameters are current")
	}
}

func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := password.Hash("benchmark password", password.Default); err != nil {
			b.Fatal(err)
		}
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	classes := []string{"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!@#$%^&*()_+-=[]{}|'"}
	seen := map[string]bool{}
	for _, n := range []int{0, 8, 20, 128} {
		for range 50 {
			pw := password.Generate(n)
			want := max(n, 8)
			if len(pw) != want {
				t.Fatalf("Generate(%d) length %d, want %d", n, len(pw), want)
			}
			for _, c := range classes {
				if !strings.ContainsAny(pw, c) {
					t.Fatalf("Generate(%d) = %q lacks a character of %q", n, pw, c)
				}
			}
			if seen[pw] {
				t.Fatalf("Generate repeated %q", pw)
			}
			seen[pw] = true
		}
	}
}
