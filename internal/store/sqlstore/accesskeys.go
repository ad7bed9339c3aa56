package sqlstore

import (
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/iamd/iamd/internal/store"
)

// accessKeyCols selects a key with its owner's current name and path.
const accessKeyCols = `k.id, k.account, k.user_id, u.name, u.path, k.secret, k.status, k.created,
	k.last_used, k.last_used_service, k.last_used_region`

const accessKeyFrom = " FROM access_keys k LEFT JOIN users u ON u.id = k.user_id"

func scanAccessKey(s scanner) (store.AccessKey, error) {
	var k store.AccessKey
	var userID, userName, userPath, service, region sql.NullString
	var status string
	var created, lastUsed sql.NullInt64
	err := s.Scan(&k.ID, &k.Account, &userID, &userName, &userPath, &k.Secret, &status, &created,
		&lastUsed, &service, &region)
	k.UserID, k.UserName, k.UserPath = userID.String, userName.String, userPath.String
	k.Status = store.AccessKeyStatus(status)
	k.Created = fromNanos(created)
	k.LastUsed = fromNanos(lastUsed)
	k.LastUsedService, k.LastUsedRegion = service.String, region.String
	return k, err
}

func validStatus(s store.AccessKeyStatus) bool {
	return s == store.AccessKeyActive || s == store.AccessKeyInactive
}

// keyOwner resolves the owner of access keys: a user's id, or "" for the
// account's root user (after checking that the account exists).
func (t *tx) keyOwner(op, account, user string) (string, error) {
	if user == "" {
		return "", t.accountExists(op, account)
	}
	return t.userID(op, account, user)
}

func (t *tx) CreateAccessKey(k store.AccessKey) error {
	const op = "create access key"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if k.ID == "" || len(k.Secret) == 0 {
		return store.Invalid(store.KindAccessKey, "ID and Secret must be set")
	}
	if !validStatus(k.Status) {
		return store.Invalid(store.KindAccessKey, "status "+string(k.Status)+" is neither Active nor Inactive")
	}
	if err := checkText(store.KindAccessKey, k.ID, k.LastUsedService, k.LastUsedRegion); err != nil {
		return err
	}
	if err := checkTime(store.KindAccessKey, "Created", k.Created); err != nil {
		return err
	}
	uid, err := t.keyOwner(op, k.Account, k.UserName)
	if err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM access_keys WHERE id = ?", k.ID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindAccessKey, k.ID)
	}
	_, err = t.exec(`INSERT INTO access_keys (id, account, user_id, secret, status, created, last_used, last_used_service, last_used_region)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Account, nullText(uid), k.Secret, string(k.Status), nanos(k.Created), nanos(k.LastUsed),
		nullText(k.LastUsedService), nullText(k.LastUsedRegion))
	if err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindAccessKey, k.ID)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetAccessKey(id string) (store.AccessKey, error) {
	k, err := scanAccessKey(t.row("SELECT "+accessKeyCols+accessKeyFrom+" WHERE k.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, store.NotFound(store.KindAccessKey, id)
	}
	if err != nil {
		return k, t.fail("get access key", err)
	}
	return k, nil
}

func (t *tx) ListAccessKeys(account, user string, opts store.ListOptions) (store.Page[store.AccessKey], error) {
	const op, tag = "list access keys", "access-keys"
	k, err := newKeyset(store.KindAccessKey, opts, tag, 1)
	if err != nil {
		return store.Page[store.AccessKey]{}, err
	}
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return store.Page[store.AccessKey]{}, err
	}
	var rows *sql.Rows
	if uid == "" {
		rows, err = t.query("SELECT "+accessKeyCols+accessKeyFrom+" WHERE k.user_id IS NULL AND k.account = ? AND k.id > ? ORDER BY k.id LIMIT ?",
			account, k.after[0], k.limit+1)
	} else {
		rows, err = t.query("SELECT "+accessKeyCols+accessKeyFrom+" WHERE k.user_id = ? AND k.account = ? AND k.id > ? ORDER BY k.id LIMIT ?",
			uid, account, k.after[0], k.limit+1)
	}
	items, err := collect(t, op, rows, err, scanAccessKey)
	if err != nil {
		return store.Page[store.AccessKey]{}, err
	}
	return page(items, k.limit, tag, func(a store.AccessKey) []string { return []string{a.ID} }), nil
}

func (t *tx) CountAccessKeys(account, user string) (int, error) {
	const op = "count access keys"
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return 0, err
	}
	if uid == "" {
		return t.count(op, "SELECT COUNT(*) FROM access_keys WHERE user_id IS NULL AND account = ?", account)
	}
	return t.count(op, "SELECT COUNT(*) FROM access_keys WHERE user_id = ? AND account = ?", uid, account)
}

func (t *tx) UpdateAccessKeyStatus(account, user, id string, status store.AccessKeyStatus) error {
	const op = "update access key"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if !validStatus(status) {
		return store.Invalid(store.KindAccessKey, "status "+string(status)+" is neither Active nor Inactive")
	}
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return err
	}
	var res sql.Result
	if uid == "" {
		res, err = t.exec("UPDATE access_keys SET status = ? WHERE id = ? AND account = ? AND user_id IS NULL", string(status), id, account)
	} else {
		res, err = t.exec("UPDATE access_keys SET status = ? WHERE id = ? AND account = ? AND user_id = ?", string(status), id, account, uid)
	}
	return t.updatedOne(op, res, err, store.KindAccessKey, id)
}

func (t *tx) DeleteAccessKey(account, user, id string) error {
	const op = "delete access key"
	if err := t.mustWrite(); err != nil {
		return err
	}
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return err
	}
	var res sql.Result
	if uid == "" {
		res, err = t.exec("DELETE FROM access_keys WHERE id = ? AND account = ? AND user_id IS NULL", id, account)
	} else {
		res, err = t.exec("DELETE FROM access_keys WHERE id = ? AND account = ? AND user_id = ?", id, account, uid)
	}
	return t.updatedOne(op, res, err, store.KindAccessKey, id)
}

func (t *tx) RecordAccessKeyUse(uses []store.KeyUse) error {
	const op = "record access key use"
	if err := t.mustWrite(); err != nil {
		return err
	}
	for _, u := range uses {
		if err := checkText(store.KindAccessKey, u.AccessKeyID, u.Service, u.Region); err != nil {
			return err
		}
		if u.Time.IsZero() {
			return store.Invalid(store.KindAccessKey, "use of "+u.AccessKeyID+" has no time")
		}
	}
	// Update in key order, so that concurrent batches (from several
	// servers) take row locks in the same order and cannot deadlock.
	sorted := slices.Clone(uses)
	slices.SortStableFunc(sorted, func(a, b store.KeyUse) int { return strings.Compare(a.AccessKeyID, b.AccessKeyID) })
	for _, u := range sorted {
		at := u.Time.UnixNano()
		if _, err := t.exec(`UPDATE access_keys SET last_used = ?, last_used_service = ?, last_used_region = ?
WHERE id = ? AND (last_used IS NULL OR last_used < ?)`,
			at, nullText(u.Service), nullText(u.Region), u.AccessKeyID, at); err != nil {
			return t.fail(op, err)
		}
	}
	return nil
}
