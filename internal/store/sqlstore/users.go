package sqlstore

import (
	"database/sql"
	"errors"
	"time"

	"github.com/iamd/iamd/internal/store"
)

const userCols = "id, account, name, path, created, boundary, password_last_used"

func scanUser(s scanner) (store.User, error) {
	var u store.User
	var boundary sql.NullString
	var created, pwUsed sql.NullInt64
	err := s.Scan(&u.ID, &u.Account, &u.Name, &u.Path, &created, &boundary, &pwUsed)
	u.Created = fromNanos(created)
	u.PermissionsBoundary = boundary.String
	u.PasswordLastUsed = fromNanos(pwUsed)
	return u, err
}

// accountExists reports ErrNotFound for a missing account.
func (t *tx) accountExists(op, account string) error {
	ok, err := t.exists(op, "SELECT 1 FROM accounts WHERE id = ?", account)
	if err != nil {
		return err
	}
	if !ok {
		return store.NotFound(store.KindAccount, account)
	}
	return nil
}

func (t *tx) CreateUser(u store.User) error {
	const op = "create user"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if u.ID == "" || u.Name == "" || u.Path == "" {
		return store.Invalid(store.KindUser, "ID, Name and Path must be set")
	}
	if err := checkText(store.KindUser, u.ID, u.Name, u.Path, u.PermissionsBoundary); err != nil {
		return err
	}
	if err := checkTime(store.KindUser, "Created", u.Created); err != nil {
		return err
	}
	if err := t.accountExists(op, u.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM users WHERE account = ? AND name_fold = ?", u.Account, store.FoldName(u.Name)); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindUser, u.Name)
	}
	if ok, err := t.exists(op, "SELECT 1 FROM users WHERE id = ?", u.ID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindUser, u.ID)
	}
	_, err := t.exec("INSERT INTO users (id, account, name, name_fold, path, created, boundary, password_last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		u.ID, u.Account, u.Name, store.FoldName(u.Name), u.Path, nanos(u.Created), nullText(u.PermissionsBoundary), nanos(u.PasswordLastUsed))
	if err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindUser, u.Name)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetUser(account, name string) (store.User, error) {
	u, err := scanUser(t.row("SELECT "+userCols+" FROM users WHERE account = ? AND name_fold = ?", account, store.FoldName(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return u, store.NotFound(store.KindUser, name)
	}
	if err != nil {
		return u, t.fail("get user", err)
	}
	return u, nil
}

func (t *tx) GetUserByID(id string) (store.User, error) {
	u, err := scanUser(t.row("SELECT "+userCols+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, store.NotFound(store.KindUser, id)
	}
	if err != nil {
		return u, t.fail("get user by id", err)
	}
	return u, nil
}

// userID resolves a user name to its id.
func (t *tx) userID(op, account, name string) (string, error) {
	var id string
	err := t.row("SELECT id FROM users WHERE account = ? AND name_fold = ?", account, store.FoldName(name)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.NotFound(store.KindUser, name)
	}
	if err != nil {
		return "", t.fail(op, err)
	}
	return id, nil
}

func (t *tx) UpdateUser(account, name string, upd store.UserUpdate) (store.User, error) {
	const op = "update user"
	if err := t.mustWrite(); err != nil {
		return store.User{}, err
	}
	if err := checkText(store.KindUser, upd.NewName, upd.NewPath); err != nil {
		return store.User{}, err
	}
	u, err := t.GetUser(account, name)
	if err != nil {
		return u, err
	}
	if upd.NewName != "" {
		fold := store.FoldName(upd.NewName)
		if ok, err := t.exists(op, "SELECT 1 FROM users WHERE account = ? AND name_fold = ?", account, fold); err != nil {
			return u, err
		} else if ok {
			return u, store.AlreadyExists(store.KindUser, upd.NewName)
		}
		if _, err := t.exec("UPDATE users SET name = ?, name_fold = ? WHERE id = ?", upd.NewName, fold, u.ID); err != nil {
			if t.class(err) == ClassUnique {
				return u, store.AlreadyExists(store.KindUser, upd.NewName)
			}
			return u, t.fail(op, err)
		}
		u.Name = upd.NewName
	}
	if upd.NewPath != "" {
		if _, err := t.exec("UPDATE users SET path = ? WHERE id = ?", upd.NewPath, u.ID); err != nil {
			return u, t.fail(op, err)
		}
		u.Path = upd.NewPath
	}
	return u, nil
}

func (t *tx) SetUserPermissionsBoundary(account, name, policyARN string) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := checkText(store.KindUser, policyARN); err != nil {
		return err
	}
	res, err := t.exec("UPDATE users SET boundary = ? WHERE account = ? AND name_fold = ?", nullText(policyARN), account, store.FoldName(name))
	return t.updatedOne("set user permissions boundary", res, err, store.KindUser, name)
}

func (t *tx) SetUserPasswordLastUsed(account, name string, at time.Time) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	res, err := t.exec("UPDATE users SET password_last_used = ? WHERE account = ? AND name_fold = ?", nanos(at), account, store.FoldName(name))
	return t.updatedOne("set user password last used", res, err, store.KindUser, name)
}

// updatedOne turns an UPDATE's outcome into nil or ErrNotFound.
func (t *tx) updatedOne(op string, res sql.Result, err error, kind store.Kind, name string) error {
	if err != nil {
		return t.fail(op, err)
	}
	n, err := t.affected(op, res)
	if err != nil {
		return err
	}
	if n == 0 {
		return store.NotFound(kind, name)
	}
	return nil
}

// userDepsQuery counts a user's dependents in one round trip.
const userDepsQuery = `SELECT
	(SELECT COUNT(*) FROM access_keys WHERE user_id = ?),
	(SELECT COUNT(*) FROM group_members WHERE user_id = ?),
	(SELECT COUNT(*) FROM policy_attachments WHERE user_id = ?),
	(SELECT COUNT(*) FROM inline_policies WHERE user_id = ?),
	(SELECT COUNT(*) FROM login_profiles WHERE user_id = ?),
	(SELECT COUNT(*) FROM mfa_devices WHERE user_id = ?),
	(SELECT COUNT(*) FROM signing_certificates WHERE user_id = ?),
	(SELECT COUNT(*) FROM ssh_public_keys WHERE user_id = ?),
	(SELECT COUNT(*) FROM service_credentials WHERE user_id = ?)`

func (t *tx) userDependencies(op, id string) (store.UserDependencies, error) {
	var d store.UserDependencies
	var keys, groups, attached, inline, login, mfa, signing, ssh, creds int64
	if err := t.row(userDepsQuery, id, id, id, id, id, id, id, id, id).
		Scan(&keys, &groups, &attached, &inline, &login, &mfa, &signing, &ssh, &creds); err != nil {
		return d, t.fail(op, err)
	}
	d.MFADevices, d.SigningCertificates, d.SSHPublicKeys, d.ServiceSpecificCredentials = int(mfa), int(signing), int(ssh), int(creds)
	d.LoginProfile = login > 0
	d.AccessKeys, d.Groups, d.AttachedPolicies, d.InlinePolicies = int(keys), int(groups), int(attached), int(inline)
	return d, nil
}

func (t *tx) UserDependencies(account, name string) (store.UserDependencies, error) {
	id, err := t.userID("user dependencies", account, name)
	if err != nil {
		return store.UserDependencies{}, err
	}
	return t.userDependencies("user dependencies", id)
}

func (t *tx) DeleteUser(account, name string) error {
	const op = "delete user"
	if err := t.mustWrite(); err != nil {
		return err
	}
	id, err := t.userID(op, account, name)
	if err != nil {
		return err
	}
	deps, err := t.userDependencies(op, id)
	if err != nil {
		return err
	}
	if deps.Any() {
		return store.Conflict(store.KindUser, name)
	}
	if err := t.deleteTags(op, account, store.KindUser, id); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM users WHERE id = ?", id); err != nil {
		if t.class(err) == ClassForeignKey {
			return store.Conflict(store.KindUser, name)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) ListUsers(account string, opts store.PathListOptions) (store.Page[store.User], error) {
	return listByPath(t, "users", "users", store.KindUser, userCols, "", account, opts, scanUser,
		func(u store.User) (string, string) { return u.Path, u.Name })
}

func (t *tx) CountUsers(account string) (int, error) {
	return t.count("count users", "SELECT COUNT(*) FROM users WHERE account = ?", account)
}

// listByPath lists the rows of a table of named entities with paths
// (users, groups, roles, ...), keyset-paginated on (account, name_fold)
// without a path prefix and on (account, path, name_fold) with one; both
// are indexes of every such table.
//
// from is the table (with an alias if cols need one), tag names the list
// in markers, and filter is an optional extra condition ("" for none).
func listByPath[T any](t *tx, from, tag string, kind store.Kind, cols, filter, account string, opts store.PathListOptions,
	scan func(scanner) (T, error), key func(T) (path, name string)) (store.Page[T], error) {
	op := "list " + tag
	table := from
	if filter != "" {
		filter = " AND " + filter
	}
	if err := checkText(kind, opts.PathPrefix); err != nil {
		return store.Page[T]{}, err
	}
	if opts.PathPrefix == "" || opts.PathPrefix == "/" {
		tag := tag + "/name"
		k, err := newKeyset(kind, opts.ListOptions(), tag, 1)
		if err != nil {
			return store.Page[T]{}, err
		}
		rows, err := t.query("SELECT "+cols+" FROM "+table+" WHERE account = ?"+filter+" AND name_fold > ? ORDER BY name_fold LIMIT ?",
			account, k.after[0], k.limit+1)
		items, err := collect(t, op, rows, err, scan)
		if err != nil {
			return store.Page[T]{}, err
		}
		return page(items, k.limit, tag, func(v T) []string {
			_, name := key(v)
			return []string{store.FoldName(name)}
		}), nil
	}
	tag = tag + "/path"
	k, err := newKeyset(kind, opts.ListOptions(), tag, 2)
	if err != nil {
		return store.Page[T]{}, err
	}
	// The row value (path, name_fold) > (after) is the index range's
	// lower bound; the first page starts at (prefix, ""). Stating the
	// bound only once keeps both planners reading the index from the
	// marker on, not from the prefix on.
	lo, hi, bounded := store.PathRange(opts.PathPrefix)
	if opts.Marker == "" {
		k.after = []string{lo, ""}
	} else if k.after[0] < lo {
		return store.Page[T]{}, store.Invalid(kind, "marker was not issued for this path prefix")
	}
	var rows *sql.Rows
	if bounded {
		rows, err = t.query("SELECT "+cols+" FROM "+table+" WHERE account = ?"+filter+" AND (path, name_fold) > (?, ?) AND path < ? ORDER BY path, name_fold LIMIT ?",
			account, k.after[0], k.after[1], hi, k.limit+1)
	} else {
		rows, err = t.query("SELECT "+cols+" FROM "+table+" WHERE account = ?"+filter+" AND (path, name_fold) > (?, ?) ORDER BY path, name_fold LIMIT ?",
			account, k.after[0], k.after[1], k.limit+1)
	}
	items, err := collect(t, op, rows, err, scan)
	if err != nil {
		return store.Page[T]{}, err
	}
	return page(items, k.limit, tag, func(v T) []string {
		path, name := key(v)
		return []string{path, store.FoldName(name)}
	}), nil
}
