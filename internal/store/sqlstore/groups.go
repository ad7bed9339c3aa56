package sqlstore

import (
	"database/sql"
	"errors"

	"github.com/iamd/iamd/internal/store"
)

const groupCols = "id, account, name, path, created"

func scanGroup(s scanner) (store.Group, error) {
	var g store.Group
	var created sql.NullInt64
	err := s.Scan(&g.ID, &g.Account, &g.Name, &g.Path, &created)
	g.Created = fromNanos(created)
	return g, err
}

func (t *tx) CreateGroup(g store.Group) error {
	const op = "create group"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if g.ID == "" || g.Name == "" || g.Path == "" {
		return store.Invalid(store.KindGroup, "ID, Name and Path must be set")
	}
	if err := checkText(store.KindGroup, g.ID, g.Name, g.Path); err != nil {
		return err
	}
	if err := checkTime(store.KindGroup, "Created", g.Created); err != nil {
		return err
	}
	if err := t.accountExists(op, g.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM iam_groups WHERE account = ? AND name_fold = ?", g.Account, store.FoldName(g.Name)); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindGroup, g.Name)
	}
	if ok, err := t.exists(op, "SELECT 1 FROM iam_groups WHERE id = ?", g.ID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindGroup, g.ID)
	}
	_, err := t.exec("INSERT INTO iam_groups (id, account, name, name_fold, path, created) VALUES (?, ?, ?, ?, ?, ?)",
		g.ID, g.Account, g.Name, store.FoldName(g.Name), g.Path, nanos(g.Created))
	if err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindGroup, g.Name)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetGroup(account, name string) (store.Group, error) {
	g, err := scanGroup(t.row("SELECT "+groupCols+" FROM iam_groups WHERE account = ? AND name_fold = ?", account, store.FoldName(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return g, store.NotFound(store.KindGroup, name)
	}
	if err != nil {
		return g, t.fail("get group", err)
	}
	return g, nil
}

func (t *tx) GetGroupByID(id string) (store.Group, error) {
	g, err := scanGroup(t.row("SELECT "+groupCols+" FROM iam_groups WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, store.NotFound(store.KindGroup, id)
	}
	if err != nil {
		return g, t.fail("get group by id", err)
	}
	return g, nil
}

func (t *tx) groupID(op, account, name string) (string, error) {
	var id string
	err := t.row("SELECT id FROM iam_groups WHERE account = ? AND name_fold = ?", account, store.FoldName(name)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.NotFound(store.KindGroup, name)
	}
	if err != nil {
		return "", t.fail(op, err)
	}
	return id, nil
}

func (t *tx) UpdateGroup(account, name string, upd store.GroupUpdate) (store.Group, error) {
	const op = "update group"
	if err := t.mustWrite(); err != nil {
		return store.Group{}, err
	}
	if err := checkText(store.KindGroup, upd.NewName, upd.NewPath); err != nil {
		return store.Group{}, err
	}
	g, err := t.GetGroup(account, name)
	if err != nil {
		return g, err
	}
	if upd.NewName != "" {
		fold := store.FoldName(upd.NewName)
		if ok, err := t.exists(op, "SELECT 1 FROM iam_groups WHERE account = ? AND name_fold = ?", account, fold); err != nil {
			return g, err
		} else if ok {
			return g, store.AlreadyExists(store.KindGroup, upd.NewName)
		}
		if _, err := t.exec("UPDATE iam_groups SET name = ?, name_fold = ? WHERE id = ?", upd.NewName, fold, g.ID); err != nil {
			if t.class(err) == ClassUnique {
				return g, store.AlreadyExists(store.KindGroup, upd.NewName)
			}
			return g, t.fail(op, err)
		}
		g.Name = upd.NewName
	}
	if upd.NewPath != "" {
		if _, err := t.exec("UPDATE iam_groups SET path = ? WHERE id = ?", upd.NewPath, g.ID); err != nil {
			return g, t.fail(op, err)
		}
		g.Path = upd.NewPath
	}
	return g, nil
}

const groupDepsQuery = `SELECT
	(SELECT COUNT(*) FROM group_members WHERE group_id = ?),
	(SELECT COUNT(*) FROM policy_attachments WHERE group_id = ?),
	(SELECT COUNT(*) FROM inline_policies WHERE group_id = ?)`

func (t *tx) groupDependencies(op, id string) (store.GroupDependencies, error) {
	var d store.GroupDependencies
	var members, attached, inline int64
	if err := t.row(groupDepsQuery, id, id, id).Scan(&members, &attached, &inline); err != nil {
		return d, t.fail(op, err)
	}
	d.Members, d.AttachedPolicies, d.InlinePolicies = int(members), int(attached), int(inline)
	return d, nil
}

func (t *tx) GroupDependencies(account, name string) (store.GroupDependencies, error) {
	id, err := t.groupID("group dependencies", account, name)
	if err != nil {
		return store.GroupDependencies{}, err
	}
	return t.groupDependencies("group dependencies", id)
}

func (t *tx) DeleteGroup(account, name string) error {
	const op = "delete group"
	if err := t.mustWrite(); err != nil {
		return err
	}
	id, err := t.groupID(op, account, name)
	if err != nil {
		return err
	}
	deps, err := t.groupDependencies(op, id)
	if err != nil {
		return err
	}
	if deps.Any() {
		return store.Conflict(store.KindGroup, name)
	}
	if _, err := t.exec("DELETE FROM iam_groups WHERE id = ?", id); err != nil {
		if t.class(err) == ClassForeignKey {
			return store.Conflict(store.KindGroup, name)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) ListGroups(account string, opts store.PathListOptions) (store.Page[store.Group], error) {
	return listByPath(t, "iam_groups", "iam_groups", store.KindGroup, groupCols, "", account, opts, scanGroup,
		func(g store.Group) (string, string) { return g.Path, g.Name })
}

func (t *tx) CountGroups(account string) (int, error) {
	return t.count("count groups", "SELECT COUNT(*) FROM iam_groups WHERE account = ?", account)
}

func (t *tx) AddUserToGroup(account, group, user string) error {
	const op = "add user to group"
	if err := t.mustWrite(); err != nil {
		return err
	}
	gid, err := t.groupID(op, account, group)
	if err != nil {
		return err
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return err
	}
	if _, err := t.exec("INSERT INTO group_members (group_id, user_id, account) VALUES (?, ?, ?) ON CONFLICT (group_id, user_id) DO NOTHING",
		gid, uid, account); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) RemoveUserFromGroup(account, group, user string) error {
	const op = "remove user from group"
	if err := t.mustWrite(); err != nil {
		return err
	}
	gid, err := t.groupID(op, account, group)
	if err != nil {
		return err
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return err
	}
	res, err := t.exec("DELETE FROM group_members WHERE group_id = ? AND user_id = ?", gid, uid)
	return t.updatedOne(op, res, err, store.KindMembership, user)
}

func (t *tx) ListGroupMembers(account, group string, opts store.ListOptions) (store.Page[store.User], error) {
	const op, tag = "list group members", "members"
	k, err := newKeyset(store.KindUser, opts, tag, 1)
	if err != nil {
		return store.Page[store.User]{}, err
	}
	gid, err := t.groupID(op, account, group)
	if err != nil {
		return store.Page[store.User]{}, err
	}
	rows, err := t.query(`SELECT u.id, u.account, u.name, u.path, u.created, u.boundary, u.password_last_used
FROM group_members m JOIN users u ON u.id = m.user_id
WHERE m.group_id = ? AND m.user_id > ? ORDER BY m.user_id LIMIT ?`, gid, k.after[0], k.limit+1)
	items, err := collect(t, op, rows, err, scanUser)
	if err != nil {
		return store.Page[store.User]{}, err
	}
	return page(items, k.limit, tag, func(u store.User) []string { return []string{u.ID} }), nil
}

func (t *tx) ListGroupsForUser(account, user string, opts store.ListOptions) (store.Page[store.Group], error) {
	const op, tag = "list groups for user", "groups-of-user"
	k, err := newKeyset(store.KindGroup, opts, tag, 1)
	if err != nil {
		return store.Page[store.Group]{}, err
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return store.Page[store.Group]{}, err
	}
	rows, err := t.query(`SELECT g.id, g.account, g.name, g.path, g.created
FROM group_members m JOIN iam_groups g ON g.id = m.group_id
WHERE m.user_id = ? AND m.group_id > ? ORDER BY m.group_id LIMIT ?`, uid, k.after[0], k.limit+1)
	items, err := collect(t, op, rows, err, scanGroup)
	if err != nil {
		return store.Page[store.Group]{}, err
	}
	return page(items, k.limit, tag, func(g store.Group) []string { return []string{g.ID} }), nil
}

func (t *tx) CountGroupsForUser(account, user string) (int, error) {
	const op = "count groups for user"
	uid, err := t.userID(op, account, user)
	if err != nil {
		return 0, err
	}
	return t.count(op, "SELECT COUNT(*) FROM group_members WHERE user_id = ?", uid)
}
