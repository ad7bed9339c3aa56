package sqlstore

import (
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/iamd/iamd/internal/store"
)

const roleCols = "id, account, name, path, created, assume_role_policy, description, max_session_duration, boundary, last_used, last_used_region"

func scanRole(s scanner) (store.Role, error) {
	var r store.Role
	var desc, boundary, region sql.NullString
	var created, lastUsed sql.NullInt64
	var maxSession int64
	err := s.Scan(&r.ID, &r.Account, &r.Name, &r.Path, &created, &r.AssumeRolePolicy, &desc, &maxSession, &boundary, &lastUsed, &region)
	r.Created, r.LastUsed = fromNanos(created), fromNanos(lastUsed)
	r.Description, r.PermissionsBoundary, r.LastUsedRegion = desc.String, boundary.String, region.String
	r.MaxSessionDuration = int(maxSession)
	return r, err
}

func (t *tx) CreateRole(r store.Role) error {
	const op = "create role"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if r.ID == "" || r.Name == "" || r.Path == "" || r.AssumeRolePolicy == "" || r.MaxSessionDuration <= 0 {
		return store.Invalid(store.KindRole, "ID, Name, Path, AssumeRolePolicy and MaxSessionDuration must be set")
	}
	if err := checkText(store.KindRole, r.ID, r.Name, r.Path, r.AssumeRolePolicy, r.Description, r.PermissionsBoundary, r.LastUsedRegion); err != nil {
		return err
	}
	if err := checkTime(store.KindRole, "Created", r.Created); err != nil {
		return err
	}
	if err := t.accountExists(op, r.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM roles WHERE account = ? AND name_fold = ?", r.Account, store.FoldName(r.Name)); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindRole, r.Name)
	}
	if ok, err := t.exists(op, "SELECT 1 FROM roles WHERE id = ?", r.ID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindRole, r.ID)
	}
	_, err := t.exec(`INSERT INTO roles (id, account, name, name_fold, path, created, assume_role_policy, description, max_session_duration, boundary, last_used, last_used_region)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Account, r.Name, store.FoldName(r.Name), r.Path, nanos(r.Created), r.AssumeRolePolicy, nullText(r.Description),
		int64(r.MaxSessionDuration), nullText(r.PermissionsBoundary), nanos(r.LastUsed), nullText(r.LastUsedRegion))
	if err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindRole, r.Name)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetRole(account, name string) (store.Role, error) {
	r, err := scanRole(t.row("SELECT "+roleCols+" FROM roles WHERE account = ? AND name_fold = ?", account, store.FoldName(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, store.NotFound(store.KindRole, name)
	}
	if err != nil {
		return r, t.fail("get role", err)
	}
	return r, nil
}

func (t *tx) GetRoleByID(id string) (store.Role, error) {
	r, err := scanRole(t.row("SELECT "+roleCols+" FROM roles WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, store.NotFound(store.KindRole, id)
	}
	if err != nil {
		return r, t.fail("get role by id", err)
	}
	return r, nil
}

func (t *tx) roleID(op, account, name string) (string, error) {
	var id string
	err := t.row("SELECT id FROM roles WHERE account = ? AND name_fold = ?", account, store.FoldName(name)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.NotFound(store.KindRole, name)
	}
	if err != nil {
		return "", t.fail(op, err)
	}
	return id, nil
}

func (t *tx) UpdateRole(account, name string, upd store.RoleUpdate) (store.Role, error) {
	const op = "update role"
	if err := t.mustWrite(); err != nil {
		return store.Role{}, err
	}
	if upd.MaxSessionDuration < 0 {
		return store.Role{}, store.Invalid(store.KindRole, "MaxSessionDuration must not be negative")
	}
	desc := ""
	if upd.Description != nil {
		desc = *upd.Description
	}
	if err := checkText(store.KindRole, desc, upd.AssumeRolePolicy); err != nil {
		return store.Role{}, err
	}
	r, err := t.GetRole(account, name)
	if err != nil {
		return r, err
	}
	if upd.Description != nil {
		if _, err := t.exec("UPDATE roles SET description = ? WHERE id = ?", nullText(desc), r.ID); err != nil {
			return r, t.fail(op, err)
		}
		r.Description = desc
	}
	if upd.MaxSessionDuration > 0 {
		if _, err := t.exec("UPDATE roles SET max_session_duration = ? WHERE id = ?", int64(upd.MaxSessionDuration), r.ID); err != nil {
			return r, t.fail(op, err)
		}
		r.MaxSessionDuration = upd.MaxSessionDuration
	}
	if upd.AssumeRolePolicy != "" {
		if _, err := t.exec("UPDATE roles SET assume_role_policy = ? WHERE id = ?", upd.AssumeRolePolicy, r.ID); err != nil {
			return r, t.fail(op, err)
		}
		r.AssumeRolePolicy = upd.AssumeRolePolicy
	}
	return r, nil
}

func (t *tx) SetRolePermissionsBoundary(account, name, policyARN string) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := checkText(store.KindRole, policyARN); err != nil {
		return err
	}
	res, err := t.exec("UPDATE roles SET boundary = ? WHERE account = ? AND name_fold = ?", nullText(policyARN), account, store.FoldName(name))
	return t.updatedOne("set role permissions boundary", res, err, store.KindRole, name)
}

// roleDepsQuery counts a role's dependents in one round trip.
const roleDepsQuery = `SELECT
	(SELECT COUNT(*) FROM policy_attachments WHERE role_id = ?),
	(SELECT COUNT(*) FROM inline_policies WHERE role_id = ?),
	(SELECT COUNT(*) FROM instance_profiles WHERE role_id = ?)`

func (t *tx) roleDependencies(op, id string) (store.RoleDependencies, error) {
	var d store.RoleDependencies
	var attached, inline, profiles int64
	if err := t.row(roleDepsQuery, id, id, id).Scan(&attached, &inline, &profiles); err != nil {
		return d, t.fail(op, err)
	}
	d.AttachedPolicies, d.InlinePolicies, d.InstanceProfiles = int(attached), int(inline), int(profiles)
	return d, nil
}

func (t *tx) RoleDependencies(account, name string) (store.RoleDependencies, error) {
	id, err := t.roleID("role dependencies", account, name)
	if err != nil {
		return store.RoleDependencies{}, err
	}
	return t.roleDependencies("role dependencies", id)
}

func (t *tx) DeleteRole(account, name string) error {
	const op = "delete role"
	if err := t.mustWrite(); err != nil {
		return err
	}
	id, err := t.roleID(op, account, name)
	if err != nil {
		return err
	}
	deps, err := t.roleDependencies(op, id)
	if err != nil {
		return err
	}
	if deps.Any() {
		return store.Conflict(store.KindRole, name)
	}
	if err := t.deleteTags(op, account, store.KindRole, id); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM roles WHERE id = ?", id); err != nil {
		if t.class(err) == ClassForeignKey {
			return store.Conflict(store.KindRole, name)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) ListRoles(account string, opts store.PathListOptions) (store.Page[store.Role], error) {
	return listByPath(t, "roles", "roles", store.KindRole, roleCols, "", account, opts, scanRole,
		func(r store.Role) (string, string) { return r.Path, r.Name })
}

func (t *tx) CountRoles(account string) (int, error) {
	return t.count("count roles", "SELECT COUNT(*) FROM roles WHERE account = ?", account)
}

func (t *tx) RecordRoleUse(uses []store.RoleUse) error {
	const op = "record role use"
	if err := t.mustWrite(); err != nil {
		return err
	}
	for _, u := range uses {
		if err := checkText(store.KindRole, u.RoleID, u.Region); err != nil {
			return err
		}
		if u.Time.IsZero() {
			return store.Invalid(store.KindRole, "use of "+u.RoleID+" has no time")
		}
	}
	sorted := slices.Clone(uses)
	slices.SortStableFunc(sorted, func(a, b store.RoleUse) int { return strings.Compare(a.RoleID, b.RoleID) })
	for _, u := range sorted {
		at := u.Time.UnixNano()
		if _, err := t.exec("UPDATE roles SET last_used = ?, last_used_region = ? WHERE id = ? AND (last_used IS NULL OR last_used < ?)",
			at, nullText(u.Region), u.RoleID, at); err != nil {
			return t.fail(op, err)
		}
	}
	return nil
}

func (t *tx) PutDeletionTask(d store.DeletionTask) error {
	const op = "put deletion task"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if d.ID == "" || d.RoleName == "" || d.Status == "" {
		return store.Invalid(store.KindRole, "deletion task ID, RoleName and Status must be set")
	}
	if err := checkText(store.KindRole, d.ID, d.RoleName, d.Status, d.Reason); err != nil {
		return err
	}
	if err := checkTime(store.KindRole, "deletion task Created", d.Created); err != nil {
		return err
	}
	if err := t.accountExists(op, d.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM role_deletion_tasks WHERE id = ? AND account <> ?", d.ID, d.Account); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindRole, d.ID)
	}
	if _, err := t.exec(`INSERT INTO role_deletion_tasks (id, account, role_name, status, reason, created) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET role_name = excluded.role_name, status = excluded.status, reason = excluded.reason`,
		d.ID, d.Account, d.RoleName, d.Status, nullText(d.Reason), nanos(d.Created)); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetDeletionTask(account, id string) (store.DeletionTask, error) {
	var d store.DeletionTask
	var reason sql.NullString
	var created sql.NullInt64
	err := t.row("SELECT id, account, role_name, status, reason, created FROM role_deletion_tasks WHERE id = ? AND account = ?", id, account).
		Scan(&d.ID, &d.Account, &d.RoleName, &d.Status, &reason, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return d, store.NotFound(store.KindRole, id)
	}
	if err != nil {
		return d, t.fail("get deletion task", err)
	}
	d.Reason, d.Created = reason.String, fromNanos(created)
	return d, nil
}
