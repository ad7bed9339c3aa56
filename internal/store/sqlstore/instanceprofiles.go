package sqlstore

import (
	"database/sql"
	"errors"

	"github.com/iamd/iamd/internal/store"
)

// profileCols selects a profile with its role's name, from
// "instance_profiles ip". The role's name is a scalar subquery rather
// than a join so that the list's unqualified columns stay unambiguous.
const profileCols = "ip.id, ip.account, ip.name, ip.path, ip.created, ip.role_id, (SELECT r.name FROM roles r WHERE r.id = ip.role_id)"

func scanProfile(s scanner) (store.InstanceProfile, error) {
	var p store.InstanceProfile
	var created sql.NullInt64
	var roleID, roleName sql.NullString
	err := s.Scan(&p.ID, &p.Account, &p.Name, &p.Path, &created, &roleID, &roleName)
	p.Created, p.RoleID, p.RoleName = fromNanos(created), roleID.String, roleName.String
	return p, err
}

func (t *tx) CreateInstanceProfile(p store.InstanceProfile) error {
	const op = "create instance profile"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if p.ID == "" || p.Name == "" || p.Path == "" {
		return store.Invalid(store.KindInstanceProfile, "ID, Name and Path must be set")
	}
	if err := checkText(store.KindInstanceProfile, p.ID, p.Name, p.Path); err != nil {
		return err
	}
	if err := checkTime(store.KindInstanceProfile, "Created", p.Created); err != nil {
		return err
	}
	if err := t.accountExists(op, p.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM instance_profiles WHERE account = ? AND name_fold = ?", p.Account, store.FoldName(p.Name)); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindInstanceProfile, p.Name)
	}
	if ok, err := t.exists(op, "SELECT 1 FROM instance_profiles WHERE id = ?", p.ID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindInstanceProfile, p.ID)
	}
	if _, err := t.exec("INSERT INTO instance_profiles (id, account, name, name_fold, path, created) VALUES (?, ?, ?, ?, ?, ?)",
		p.ID, p.Account, p.Name, store.FoldName(p.Name), p.Path, nanos(p.Created)); err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindInstanceProfile, p.Name)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetInstanceProfile(account, name string) (store.InstanceProfile, error) {
	p, err := scanProfile(t.row("SELECT "+profileCols+" FROM instance_profiles ip WHERE ip.account = ? AND ip.name_fold = ?", account, store.FoldName(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.NotFound(store.KindInstanceProfile, name)
	}
	if err != nil {
		return p, t.fail("get instance profile", err)
	}
	return p, nil
}

func (t *tx) DeleteInstanceProfile(account, name string) error {
	const op = "delete instance profile"
	if err := t.mustWrite(); err != nil {
		return err
	}
	p, err := t.GetInstanceProfile(account, name)
	if err != nil {
		return err
	}
	if p.RoleID != "" {
		return store.Conflict(store.KindInstanceProfile, name)
	}
	if err := t.deleteTags(op, account, store.KindInstanceProfile, p.ID); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM instance_profiles WHERE id = ?", p.ID); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) ListInstanceProfiles(account string, opts store.PathListOptions) (store.Page[store.InstanceProfile], error) {
	return listByPath(t, "instance_profiles ip", "instance_profiles", store.KindInstanceProfile, profileCols, "", account, opts, scanProfile,
		func(p store.InstanceProfile) (string, string) { return p.Path, p.Name })
}

func (t *tx) CountInstanceProfiles(account string) (int, error) {
	return t.count("count instance profiles", "SELECT COUNT(*) FROM instance_profiles WHERE account = ?", account)
}

func (t *tx) AddRoleToInstanceProfile(account, profile, role string) error {
	const op = "add role to instance profile"
	if err := t.mustWrite(); err != nil {
		return err
	}
	p, err := t.GetInstanceProfile(account, profile)
	if err != nil {
		return err
	}
	rid, err := t.roleID(op, account, role)
	if err != nil {
		return err
	}
	if p.RoleID != "" {
		return store.Conflict(store.KindInstanceProfile, profile)
	}
	if _, err := t.exec("UPDATE instance_profiles SET role_id = ? WHERE id = ? AND role_id IS NULL", rid, p.ID); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) RemoveRoleFromInstanceProfile(account, profile, role string) error {
	const op = "remove role from instance profile"
	if err := t.mustWrite(); err != nil {
		return err
	}
	p, err := t.GetInstanceProfile(account, profile)
	if err != nil {
		return err
	}
	rid, err := t.roleID(op, account, role)
	if err != nil {
		return err
	}
	res, err := t.exec("UPDATE instance_profiles SET role_id = NULL WHERE id = ? AND role_id = ?", p.ID, rid)
	return t.updatedOne(op, res, err, store.KindProfileRole, role)
}

func (t *tx) ListInstanceProfilesForRole(account, role string, opts store.ListOptions) (store.Page[store.InstanceProfile], error) {
	const op, tag = "list instance profiles for role", "profiles-of-role"
	k, err := newKeyset(store.KindInstanceProfile, opts, tag, 1)
	if err != nil {
		return store.Page[store.InstanceProfile]{}, err
	}
	rid, err := t.roleID(op, account, role)
	if err != nil {
		return store.Page[store.InstanceProfile]{}, err
	}
	rows, err := t.query("SELECT "+profileCols+" FROM instance_profiles ip WHERE ip.role_id = ? AND ip.name_fold > ? ORDER BY ip.name_fold LIMIT ?",
		rid, k.after[0], k.limit+1)
	items, err := collect(t, op, rows, err, scanProfile)
	if err != nil {
		return store.Page[store.InstanceProfile]{}, err
	}
	return page(items, k.limit, tag, func(p store.InstanceProfile) []string { return []string{store.FoldName(p.Name)} }), nil
}
