package sqlstore

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/iamd/iamd/internal/store"
)

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// A login profile's password history is one value in its row, not a table
// of its own: it is always read and written whole, is bounded by
// store.MaxPasswordHistory, and so goes wherever the row goes (deleted
// with the profile, the account, or by Reset) without another table to
// keep in step. The value is each hash, newest first, as its length in
// uvarint followed by its bytes; NULL is no history.

func encodeHistory(hashes [][]byte) []byte {
	if len(hashes) == 0 {
		return nil
	}
	var out []byte
	for _, h := range hashes {
		out = binary.AppendUvarint(out, uint64(len(h)))
		out = append(out, h...)
	}
	return out
}

// decodeHistory parses encodeHistory's form, refusing anything it could
// not have written.
func decodeHistory(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		n, size := binary.Uvarint(b)
		if size <= 0 || n == 0 || n > uint64(len(b)-size) || len(out) == store.MaxPasswordHistory {
			return nil, fmt.Errorf("malformed password history at entry %d", len(out))
		}
		b = b[size:]
		out = append(out, b[:n:n])
		b = b[n:]
	}
	return out, nil
}

func (t *tx) CreateLoginProfile(account, user string, p store.LoginProfile) error {
	const op = "create login profile"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(p.PasswordHash) == 0 {
		return store.Invalid(store.KindLoginProfile, "PasswordHash must be set")
	}
	if err := checkTime(store.KindLoginProfile, "Created", p.Created); err != nil {
		return err
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM login_profiles WHERE user_id = ?", uid); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindLoginProfile, user)
	}
	if _, err := t.exec("INSERT INTO login_profiles (user_id, account, password_hash, reset_required, created, password_changed) VALUES (?, ?, ?, ?, ?, ?)",
		uid, account, p.PasswordHash, b2i(p.PasswordResetRequired), nanos(p.Created), nanos(p.PasswordChanged)); err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindLoginProfile, user)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetLoginProfile(account, user string) (store.LoginProfile, error) {
	const op = "get login profile"
	var p store.LoginProfile
	var reset, created, changed sql.NullInt64
	var history []byte
	err := t.row(`SELECT u.id, u.name, l.password_hash, l.reset_required, l.created, l.password_changed, l.password_history
FROM users u LEFT JOIN login_profiles l ON l.user_id = u.id WHERE u.account = ? AND u.name_fold = ?`, account, store.FoldName(user)).
		Scan(&p.UserID, &p.UserName, &p.PasswordHash, &reset, &created, &changed, &history)
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.NotFound(store.KindUser, user)
	}
	if err != nil {
		return p, t.fail(op, err)
	}
	if !created.Valid {
		return store.LoginProfile{}, store.NotFound(store.KindLoginProfile, user)
	}
	if p.PasswordHistory, err = decodeHistory(history); err != nil {
		return store.LoginProfile{}, fmt.Errorf("store: %s: user %s: %w", op, p.UserID, err)
	}
	p.Account = account
	p.PasswordResetRequired = reset.Int64 != 0
	p.Created, p.PasswordChanged = fromNanos(created), fromNanos(changed)
	return p, nil
}

func (t *tx) UpdateLoginProfile(account, user string, upd store.LoginProfileUpdate) error {
	const op = "update login profile"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if upd.PasswordHash != nil {
		if len(upd.PasswordHash) == 0 {
			return store.Invalid(store.KindLoginProfile, "a new PasswordHash must not be empty")
		}
		if err := checkTime(store.KindLoginProfile, "PasswordChanged", upd.PasswordChanged); err != nil {
			return err
		}
	}
	p, err := t.GetLoginProfile(account, user)
	if err != nil {
		return err
	}
	if upd.PasswordHash != nil {
		history := append([][]byte{p.PasswordHash}, p.PasswordHistory...)
		if len(history) > store.MaxPasswordHistory {
			history = history[:store.MaxPasswordHistory]
		}
		if _, err := t.exec("UPDATE login_profiles SET password_hash = ?, password_changed = ?, password_history = ? WHERE user_id = ?",
			upd.PasswordHash, nanos(upd.PasswordChanged), encodeHistory(history), p.UserID); err != nil {
			return t.fail(op, err)
		}
	}
	if upd.PasswordResetRequired != nil {
		if _, err := t.exec("UPDATE login_profiles SET reset_required = ? WHERE user_id = ?", b2i(*upd.PasswordResetRequired), p.UserID); err != nil {
			return t.fail(op, err)
		}
	}
	return nil
}

func (t *tx) DeleteLoginProfile(account, user string) error {
	const op = "delete login profile"
	if err := t.mustWrite(); err != nil {
		return err
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return err
	}
	res, err := t.exec("DELETE FROM login_profiles WHERE user_id = ?", uid)
	return t.updatedOne(op, res, err, store.KindLoginProfile, user)
}

func (t *tx) GetPasswordPolicy(account string) (store.PasswordPolicy, error) {
	var p store.PasswordPolicy
	var minLen, sym, num, upper, lower, change, age, reuse, hard int64
	err := t.row(`SELECT minimum_length, require_symbols, require_numbers, require_uppercase, require_lowercase,
	allow_users_to_change, max_age, reuse_prevention, hard_expiry FROM password_policies WHERE account = ?`, account).
		Scan(&minLen, &sym, &num, &upper, &lower, &change, &age, &reuse, &hard)
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.NotFound(store.KindPasswordPolicy, account)
	}
	if err != nil {
		return p, t.fail("get password policy", err)
	}
	p = store.PasswordPolicy{
		MinimumPasswordLength: int(minLen), RequireSymbols: sym != 0, RequireNumbers: num != 0,
		RequireUppercaseCharacters: upper != 0, RequireLowercaseCharacters: lower != 0, AllowUsersToChangePassword: change != 0,
		MaxPasswordAge: int(age), PasswordReusePrevention: int(reuse), HardExpiry: hard != 0,
	}
	return p, nil
}

func (t *tx) PutPasswordPolicy(account string, p store.PasswordPolicy) error {
	const op = "put password policy"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if p.MinimumPasswordLength < 0 || p.MaxPasswordAge < 0 || p.PasswordReusePrevention < 0 {
		return store.Invalid(store.KindPasswordPolicy, "numbers must not be negative")
	}
	if err := t.accountExists(op, account); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO password_policies (account, minimum_length, require_symbols, require_numbers, require_uppercase,
	require_lowercase, allow_users_to_change, max_age, reuse_prevention, hard_expiry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (account) DO UPDATE SET minimum_length = excluded.minimum_length, require_symbols = excluded.require_symbols,
	require_numbers = excluded.require_numbers, require_uppercase = excluded.require_uppercase,
	require_lowercase = excluded.require_lowercase, allow_users_to_change = excluded.allow_users_to_change,
	max_age = excluded.max_age, reuse_prevention = excluded.reuse_prevention, hard_expiry = excluded.hard_expiry`,
		account, int64(p.MinimumPasswordLength), b2i(p.RequireSymbols), b2i(p.RequireNumbers), b2i(p.RequireUppercaseCharacters),
		b2i(p.RequireLowercaseCharacters), b2i(p.AllowUsersToChangePassword), int64(p.MaxPasswordAge), int64(p.PasswordReusePrevention), b2i(p.HardExpiry))
	if err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) DeletePasswordPolicy(account string) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	res, err := t.exec("DELETE FROM password_policies WHERE account = ?", account)
	return t.updatedOne("delete password policy", res, err, store.KindPasswordPolicy, account)
}

func (t *tx) PutCredentialReport(account string, r store.CredentialReport) error {
	const op = "put credential report"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := checkTime(store.KindCredentialReport, "Generated", r.Generated); err != nil {
		return err
	}
	if r.Content == nil {
		r.Content = []byte{}
	}
	if err := t.accountExists(op, account); err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO credential_reports (account, generated, content) VALUES (?, ?, ?)
ON CONFLICT (account) DO UPDATE SET generated = excluded.generated, content = excluded.content`,
		account, nanos(r.Generated), r.Content); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetCredentialReport(account string) (store.CredentialReport, error) {
	var r store.CredentialReport
	var generated sql.NullInt64
	err := t.row("SELECT generated, content FROM credential_reports WHERE account = ?", account).Scan(&generated, &r.Content)
	if errors.Is(err, sql.ErrNoRows) {
		return r, store.NotFound(store.KindCredentialReport, account)
	}
	if err != nil {
		return r, t.fail("get credential report", err)
	}
	r.Generated = fromNanos(generated)
	return r, nil
}
