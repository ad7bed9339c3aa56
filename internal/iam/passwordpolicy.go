package iam

import (
	"strings"
	"unicode/utf8"

	"github.com/iamd/iamd/internal/password"
)

// passwordSymbols are the characters RequireSymbols asks for, as the
// PasswordPolicy reference lists them.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

// Messages of PasswordPolicyViolation. The first is AWS's for a password
// that misses a length or character rule (quoted by CloudFormation stack
// events and by Ansible's iam module, which matches on it); the second is
// the one IAM gives for a password among the remembered ones.
const (
	msgPasswordPolicy = "Password does not conform to the account password policy."
	msgPasswordReuse  = "Policy constraint violation with password reuse prevention during password change."
)

// passwordRules is what a new password is checked against: the account's
// custom password policy, or AWS's default policy when it has none.
type passwordRules struct {
	custom           bool
	minLength        int
	requireSymbols   bool
	requireNumbers   bool
	requireUppercase bool
	requireLowercase bool
	reusePrevention  int // previous passwords that may not be used again
}

// defaultPasswordRules is the policy IAM applies when the account has no
// custom one (IAM User Guide, "Set an account password policy for IAM
// users", Default password policy): at least 8 characters, at least three
// of the four character classes, and not the account's name or e-mail.
var defaultPasswordRules = passwordRules{minLength: 8}

// passwordClasses reports which character classes pw has: upper-case and
// lower-case letters of the ISO basic Latin alphabet, digits, and the
// symbols of passwordSymbols. Other characters (Latin-1 letters, spaces)
// are allowed in a password but count for no class, as in AWS.
func passwordClasses(pw string) (upper, lower, digit, symbol bool) {
	for _, r := range pw {
		switch {
		case 'A' <= r && r <= 'Z':
			upper = true
		case 'a' <= r && r <= 'z':
			lower = true
		case '0' <= r && r <= '9':
			digit = true
		case r < utf8.RuneSelf && strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	return
}

// check reports whether pw satisfies the rules; names are the account's
// name-like strings (alias, root e-mail) the default policy forbids as a
// password. The error is PasswordPolicyViolation with AWS's message, which
// does not say which rule failed, and never contains the password.
func (r passwordRules) check(pw string, names ...string) error {
	n := utf8.RuneCountInString(pw)
	upper, lower, digit, symbol := passwordClasses(pw)
	ok := n >= r.minLength
	if r.custom {
		ok = ok && (!r.requireUppercase || upper) && (!r.requireLowercase || lower) &&
			(!r.requireNumbers || digit) && (!r.requireSymbols || symbol)
	} else {
		classes := 0
		for _, has := range []bool{upper, lower, digit, symbol} {
			if has {
				classes++
			}
		}
		ok = ok && classes >= 3
		for _, name := range names {
			if name != "" && strings.EqualFold(pw, name) {
				ok = false
			}
		}
	}
	if !ok {
		return wireError("PasswordPolicyViolation", msgPasswordPolicy)
	}
	return nil
}

// checkReuse refuses pw if it is one of the rules' remembered previous
// passwords: the current one first, then history newest first, as many as
// reusePrevention says. Verifying is an argon2id hash per remembered
// password, so callers run it outside write transactions.
func (r passwordRules) checkReuse(pw string, current []byte, history [][]byte) error {
	if !r.custom || r.reusePrevention == 0 {
		return nil
	}
	remembered := append([][]byte{current}, history...)
	if len(remembered) > r.reusePrevention {
		remembered = remembered[:r.reusePrevention]
	}
	for _, h := range remembered {
		if len(h) == 0 {
			continue
		}
		if same, err := password.Verify(pw, string(h)); err != nil {
			return err
		} else if same {
			return wireError("PasswordPolicyViolation", msgPasswordReuse)
		}
	}
	return nil
}
