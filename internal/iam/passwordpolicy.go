package iam

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/password"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).passwordPolicyOperations)

func (s *Service) passwordPolicyOperations(t service.Table) {
	t["GetAccountPasswordPolicy"] = service.Op(s.getAccountPasswordPolicy)
	t["UpdateAccountPasswordPolicy"] = service.Op(s.updateAccountPasswordPolicy)
	t["DeleteAccountPasswordPolicy"] = service.Op(s.deleteAccountPasswordPolicy)
}

// defaultMinimumPasswordLength is what UpdateAccountPasswordPolicy sets
// when MinimumPasswordLength is not given (its API reference).
const defaultMinimumPasswordLength = 6

// The two NoSuchEntity messages of a missing password policy are AWS's:
// GetAccountPasswordPolicy's names the account (aws-samples/
// connected-drink-dispenser-workshop#13 quotes it), and
// DeleteAccountPasswordPolicy's is the one the AWS Tools for PowerShell
// reference shows for Remove-IAMAccountPasswordPolicy.
const (
	msgNoPasswordPolicy       = "The Password Policy with domain name %s cannot be found."
	msgNoPasswordPolicyDelete = "The account policy with name PasswordPolicy cannot be found."
)

func (s *Service) getAccountPasswordPolicy(ctx context.Context, c *service.Call, _ *service.Empty) (*iamapi.GetAccountPasswordPolicyResponse, error) {
	var p store.PasswordPolicy
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.GetPasswordPolicy(c.AccountID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, wireError("NoSuchEntity", msgNoPasswordPolicy, c.AccountID)
	}
	if err != nil {
		return nil, storeError(err)
	}
	out := iamapi.PasswordPolicy{
		MinimumPasswordLength:      ptr(int32(p.MinimumPasswordLength)),
		RequireSymbols:             ptr(p.RequireSymbols),
		RequireNumbers:             ptr(p.RequireNumbers),
		RequireUppercaseCharacters: ptr(p.RequireUppercaseCharacters),
		RequireLowercaseCharacters: ptr(p.RequireLowercaseCharacters),
		AllowUsersToChangePassword: ptr(p.AllowUsersToChangePassword),
		// "Returns true if MaxPasswordAge contains a value greater than 0"
		// (PasswordPolicy reference); the two numbers appear only when set.
		ExpirePasswords: ptr(p.MaxPasswordAge > 0),
		HardExpiry:      ptr(p.HardExpiry),
	}
	if p.MaxPasswordAge > 0 {
		out.MaxPasswordAge = ptr(int32(p.MaxPasswordAge))
	}
	if p.PasswordReusePrevention > 0 {
		out.PasswordReusePrevention = ptr(int32(p.PasswordReusePrevention))
	}
	return &iamapi.GetAccountPasswordPolicyResponse{PasswordPolicy: out}, nil
}

// updateAccountPasswordPolicy sets the whole policy: a field left out
// takes its default, not its previous value ("If you do not specify a
// value for a parameter, then the operation uses the default value", API
// reference). The model checks the ranges (MinimumPasswordLength 6-128,
// MaxPasswordAge 1-1095, PasswordReusePrevention 1-24).
func (s *Service) updateAccountPasswordPolicy(ctx context.Context, c *service.Call, in *iamapi.UpdateAccountPasswordPolicyRequest) (*service.Empty, error) {
	p := store.PasswordPolicy{
		MinimumPasswordLength:      defaultMinimumPasswordLength,
		RequireSymbols:             in.RequireSymbols != nil && *in.RequireSymbols,
		RequireNumbers:             in.RequireNumbers != nil && *in.RequireNumbers,
		RequireUppercaseCharacters: in.RequireUppercaseCharacters != nil && *in.RequireUppercaseCharacters,
		RequireLowercaseCharacters: in.RequireLowercaseCharacters != nil && *in.RequireLowercaseCharacters,
		AllowUsersToChangePassword: in.AllowUsersToChangePassword != nil && *in.AllowUsersToChangePassword,
		HardExpiry:                 in.HardExpiry != nil && *in.HardExpiry,
	}
	if in.MinimumPasswordLength != nil {
		p.MinimumPasswordLength = int(*in.MinimumPasswordLength)
	}
	if in.MaxPasswordAge != nil {
		p.MaxPasswordAge = int(*in.MaxPasswordAge)
	}
	if in.PasswordReusePrevention != nil {
		p.PasswordReusePrevention = int(*in.PasswordReusePrevention)
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		return tx.PutPasswordPolicy(c.AccountID, p)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) deleteAccountPasswordPolicy(ctx context.Context, c *service.Call, _ *service.Empty) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		return tx.DeletePasswordPolicy(c.AccountID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, wireError("NoSuchEntity", msgNoPasswordPolicyDelete)
	}
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// accountPasswordRules reads what a new password of the account is checked
// against: its custom policy, or AWS's default policy with the account's
// name-like strings (alias, root e-mail) the default forbids.
func accountPasswordRules(tx store.Tx, account string) (passwordRules, []string, error) {
	p, err := tx.GetPasswordPolicy(account)
	switch {
	case err == nil:
		return passwordRules{
			custom:           true,
			minLength:        p.MinimumPasswordLength,
			requireSymbols:   p.RequireSymbols,
			requireNumbers:   p.RequireNumbers,
			requireUppercase: p.RequireUppercaseCharacters,
			requireLowercase: p.RequireLowercaseCharacters,
			reusePrevention:  p.PasswordReusePrevention,
		}, nil, nil
	case !errors.Is(err, store.ErrNotFound):
		return passwordRules{}, nil, err
	}
	a, err := tx.GetAccount(account)
	if err != nil {
		return passwordRules{}, nil, err
	}
	return defaultPasswordRules, []string{a.Alias, a.RootEmail}, nil
}

// checkNewPassword checks a new password against the account's rules
// inside the transaction that stores it.
func checkNewPassword(tx store.Tx, account, pw string) error {
	rules, names, err := accountPasswordRules(tx, account)
	if err != nil {
		return err
	}
	return rules.check(pw, names...)
}

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
