package sqlstore

import (
	"database/sql"
	"errors"
	"time"

	"github.com/iamd/iamd/internal/store"
)

// mfaCols selects a device with its user's current name, from
// "mfa_devices d".
const mfaCols = "d.serial, d.account, d.name, d.path, d.seed, d.created, d.user_id, (SELECT u.name FROM users u WHERE u.id = d.user_id), d.root, d.enabled, d.last_step, d.drift"

func scanMFA(s scanner) (store.MFADevice, error) {
	var d store.MFADevice
	var created, enabled sql.NullInt64
	var userID, userName sql.NullString
	var root int64
	err := s.Scan(&d.SerialNumber, &d.Account, &d.Name, &d.Path, &d.Seed, &created, &userID, &userName, &root, &enabled, &d.LastStep, &d.Drift)
	d.Created, d.EnableDate = fromNanos(created), fromNanos(enabled)
	d.UserID, d.UserName, d.Root = userID.String, userName.String, root != 0
	return d, err
}

func (t *tx) CreateVirtualMFADevice(d store.MFADevice) error {
	const op = "create virtual MFA device"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if d.SerialNumber == "" || d.Name == "" || d.Path == "" || len(d.Seed) == 0 {
		return store.Invalid(store.KindMFADevice, "SerialNumber, Name, Path and Seed must be set")
	}
	if err := checkText(store.KindMFADevice, d.SerialNumber, d.Name, d.Path); err != nil {
		return err
	}
	if err := checkTime(store.KindMFADevice, "Created", d.Created); err != nil {
		return err
	}
	if err := t.accountExists(op, d.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM mfa_devices WHERE serial = ? OR (account = ? AND name_fold = ?)",
		d.SerialNumber, d.Account, store.FoldName(d.Name)); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindMFADevice, d.Name)
	}
	if _, err := t.exec("INSERT INTO mfa_devices (serial, account, name, name_fold, path, seed, created, root) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
		d.SerialNumber, d.Account, d.Name, store.FoldName(d.Name), d.Path, d.Seed, nanos(d.Created)); err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindMFADevice, d.Name)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetMFADevice(account, serial string) (store.MFADevice, error) {
	d, err := scanMFA(t.row("SELECT "+mfaCols+" FROM mfa_devices d WHERE d.serial = ? AND d.account = ?", serial, account))
	if errors.Is(err, sql.ErrNoRows) {
		return d, store.NotFound(store.KindMFADevice, serial)
	}
	if err != nil {
		return d, t.fail("get MFA device", err)
	}
	return d, nil
}

func (t *tx) EnableMFADevice(account, user, serial string, at time.Time) error {
	const op = "enable MFA device"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := checkTime(store.KindMFADevice, "enable date", at); err != nil {
		return err
	}
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return err
	}
	d, err := t.GetMFADevice(account, serial)
	if err != nil {
		return err
	}
	if d.Assigned() {
		return store.Conflict(store.KindMFADevice, serial)
	}
	if _, err := t.exec("UPDATE mfa_devices SET user_id = ?, root = ?, enabled = ? WHERE serial = ?",
		nullText(uid), b2i(uid == ""), nanos(at), serial); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) DeactivateMFADevice(account, user, serial string) error {
	const op = "deactivate MFA device"
	if err := t.mustWrite(); err != nil {
		return err
	}
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return err
	}
	var res sql.Result
	if uid == "" {
		res, err = t.exec("UPDATE mfa_devices SET root = 0, enabled = NULL WHERE serial = ? AND account = ? AND root = 1", serial, account)
	} else {
		res, err = t.exec("UPDATE mfa_devices SET user_id = NULL, enabled = NULL WHERE serial = ? AND account = ? AND user_id = ?", serial, account, uid)
	}
	return t.updatedOne(op, res, err, store.KindMFADevice, serial)
}

// RecordMFAUse moves the device's last step forward in one conditional
// UPDATE, so that the database, not what the caller read earlier, decides
// whether the step is new: of two transactions recording the same step,
// the second finds last_step already there and changes nothing.
func (t *tx) RecordMFAUse(account, serial string, lastStep, drift int64) error {
	const op = "record MFA use"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if lastStep < 0 {
		return store.Invalid(store.KindMFADevice, "lastStep must not be negative")
	}
	if err := checkText(store.KindMFADevice, account, serial); err != nil {
		return err
	}
	res, err := t.exec("UPDATE mfa_devices SET last_step = ?, drift = ? WHERE serial = ? AND account = ? AND last_step < ?",
		lastStep, drift, serial, account, lastStep)
	if err != nil {
		return t.fail(op, err)
	}
	n, err := t.affected(op, res)
	if err != nil || n == 1 {
		return err
	}
	if _, err := t.GetMFADevice(account, serial); err != nil {
		return err
	}
	return store.Conflict(store.KindMFADevice, serial)
}

func (t *tx) DeleteVirtualMFADevice(account, serial string) error {
	const op = "delete virtual MFA device"
	if err := t.mustWrite(); err != nil {
		return err
	}
	d, err := t.GetMFADevice(account, serial)
	if err != nil {
		return err
	}
	if d.Assigned() {
		return store.Conflict(store.KindMFADevice, serial)
	}
	if err := t.deleteTags(op, account, store.KindMFADevice, serial); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM mfa_devices WHERE serial = ?", serial); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) ListMFADevices(account, user string, opts store.ListOptions) (store.Page[store.MFADevice], error) {
	const op, tag = "list MFA devices", "mfa-of-user"
	k, err := newKeyset(store.KindMFADevice, opts, tag, 1)
	if err != nil {
		return store.Page[store.MFADevice]{}, err
	}
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return store.Page[store.MFADevice]{}, err
	}
	var rows *sql.Rows
	if uid == "" {
		rows, err = t.query("SELECT "+mfaCols+" FROM mfa_devices d WHERE d.account = ? AND d.root = 1 AND d.serial > ? ORDER BY d.serial LIMIT ?",
			account, k.after[0], k.limit+1)
	} else {
		rows, err = t.query("SELECT "+mfaCols+" FROM mfa_devices d WHERE d.user_id = ? AND d.serial > ? ORDER BY d.serial LIMIT ?",
			uid, k.after[0], k.limit+1)
	}
	items, err := collect(t, op, rows, err, scanMFA)
	if err != nil {
		return store.Page[store.MFADevice]{}, err
	}
	return page(items, k.limit, tag, func(d store.MFADevice) []string { return []string{d.SerialNumber} }), nil
}

var mfaFilters = map[store.MFAAssignment]string{
	store.AnyAssignment:  "",
	store.AssignedOnly:   " AND (d.user_id IS NOT NULL OR d.root = 1)",
	store.UnassignedOnly: " AND d.user_id IS NULL AND d.root = 0",
}

func (t *tx) ListVirtualMFADevices(account string, status store.MFAAssignment, opts store.ListOptions) (store.Page[store.MFADevice], error) {
	const op, tag = "list virtual MFA devices", "mfa"
	filter, ok := mfaFilters[status]
	if !ok {
		return store.Page[store.MFADevice]{}, store.Invalid(store.KindMFADevice, "unknown assignment status")
	}
	k, err := newKeyset(store.KindMFADevice, opts, tag, 1)
	if err != nil {
		return store.Page[store.MFADevice]{}, err
	}
	rows, err := t.query("SELECT "+mfaCols+" FROM mfa_devices d WHERE d.account = ?"+filter+" AND d.serial > ? ORDER BY d.serial LIMIT ?",
		account, k.after[0], k.limit+1)
	items, err := collect(t, op, rows, err, scanMFA)
	if err != nil {
		return store.Page[store.MFADevice]{}, err
	}
	return page(items, k.limit, tag, func(d store.MFADevice) []string { return []string{d.SerialNumber} }), nil
}
