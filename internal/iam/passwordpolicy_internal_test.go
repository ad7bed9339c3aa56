package iam

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/password"
)

func violation(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var we *awsquery.Error
	if !errors.As(err, &we) || we.Code != "PasswordPolicyViolation" {
		t.Fatalf("error %v is not PasswordPolicyViolation", err)
	}
	return we.Message
}

func TestPasswordRulesCheck(t *testing.T) {
	t.Parallel()
	strict := passwordRules{custom: true, minLength: 12, requireSymbols: true, requireNumbers: true,
		requireUppercase: true, requireLowercase: true}
	lengthOnly := passwordRules{custom: true, minLength: 6}
	cases := []struct {
		name  string
		rules passwordRules
		pw    string
		names []string
		ok    bool
	}{
		{"strict: all classes, long enough", strict, "Correct-Horse9", nil, true},
		{"strict: one short", strict, "Correct-Hor9", nil, true},
		{"strict: too short", strict, "Corr-Horse9", nil, false},
		{"strict: no symbol", strict, "CorrectHorse9", nil, false},
		{"strict: no digit", strict, "Correct-Horse", nil, false},
		{"strict: no upper", strict, "correct-horse9", nil, false},
		{"strict: no lower", strict, "CORRECT-HORSE9", nil, false},
		{"strict: a space is no symbol", strict, "Correct Horse9", nil, false},
		{"strict: a Latin-1 letter is no class", strict, "Correct\u00e9Horse9", nil, false},
		{"strict: length counts characters, not bytes", passwordRules{custom: true, minLength: 6}, "\u00e9\u00e9\u00e9\u00e9\u00e9", nil, false},
		{"length only: six", lengthOnly, "aaaaaa", nil, true},
		{"length only: five", lengthOnly, "aaaaa", nil, false},
		{"default: three classes, eight long", defaultPasswordRules, "abcdEF12", nil, true},
		{"default: symbol counts as a class", defaultPasswordRules, "abcdef1!", nil, true},
		{"default: two classes", defaultPasswordRules, "abcdefgh12", nil, false},
		{"default: seven long", defaultPasswordRules, "abcDE1!", nil, false},
		{"default: the alias", defaultPasswordRules, "Acme-Prod1", []string{"acme-prod1", "root@example.com"}, false},
		{"default: the e-mail", defaultPasswordRules, "Root@example.com", []string{"", "root@example.com"}, false},
		{"default: not the alias", defaultPasswordRules, "Acme-Prod2", []string{"acme-prod1"}, true},
		{"custom policy allows the alias", lengthOnly, "acme-prod1", []string{"acme-prod1"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := violation(t, c.rules.check(c.pw, c.names...))
			if c.ok != (msg == "") {
				t.Fatalf("check(%q) = %q, want ok=%v", c.pw, msg, c.ok)
			}
			if !c.ok && msg != msgPasswordPolicy {
				t.Errorf("message %q", msg)
			}
			if strings.Contains(msg, c.pw) {
				t.Errorf("the message shows the password")
			}
		})
	}
}

func TestPasswordRulesReuse(t *testing.T) {
	t.Parallel()
	fast := password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	hash := func(pw string) []byte {
		h, err := password.Hash(pw, fast)
		if err != nil {
			t.Fatal(err)
		}
		return []byte(h)
	}
	current := hash("now-Pass1")
	history := [][]byte{hash("prev-Pass1"), hash("older-Pass1"), hash("oldest-Pass1")}
	cases := []struct {
		name     string
		remember int
		custom   bool
		pw       string
		ok       bool
	}{
		{"no reuse prevention", 0, true, "now-Pass1", true},
		{"default policy remembers nothing", 3, false, "now-Pass1", true},
		{"the current password", 1, true, "now-Pass1", false},
		{"one remembered: the previous is free", 1, true, "prev-Pass1", true},
		{"three remembered: the previous", 3, true, "prev-Pass1", false},
		{"three remembered: the one before", 3, true, "older-Pass1", false},
		{"three remembered: the oldest is free", 3, true, "oldest-Pass1", true},
		{"24 remembered: the oldest", 24, true, "oldest-Pass1", false},
		{"a new password", 24, true, "brand-New1", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := passwordRules{custom: c.custom, minLength: 6, reusePrevention: c.remember}
			msg := violation(t, r.checkReuse(c.pw, current, history))
			if c.ok != (msg == "") {
				t.Fatalf("checkReuse(%q) = %q, want ok=%v", c.pw, msg, c.ok)
			}
			if !c.ok && msg != msgPasswordReuse {
				t.Errorf("message %q", msg)
			}
		})
	}
}

// BenchmarkCheckReuse24 measures ChangePassword's reuse check at its worst:
// a new password compared with the current one and 23 previous ones
// (PasswordReusePrevention 24), each an argon2id hash with the parameters
// iamd hashes passwords with.
func BenchmarkCheckReuse24(b *testing.B) {
	remembered := make([][]byte, 24)
	for i := range remembered {
		h, err := password.Hash(fmt.Sprintf("old-Pass%d", i), passwordParams)
		if err != nil {
			b.Fatal(err)
		}
		remembered[i] = []byte(h)
	}
	r := passwordRules{custom: true, minLength: 8, reusePrevention: 24}
	b.ResetTimer()
	for b.Loop() {
		if err := r.checkReuse("brand-New1", remembered[0], remembered[1:]); err != nil {
			b.Fatal(err)
		}
	}
}
