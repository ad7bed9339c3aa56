package sqlstore

import (
	"database/sql"
	"errors"

	"github.com/iamd/iamd/internal/store"
)

// holders maps the kinds that hold policies to their table and to the
// foreign key column that ties an attachment or inline policy to them.
var holders = map[store.Kind]struct{ table, fkCol string }{
	store.KindUser:  {"users", "user_id"},
	store.KindGroup: {"iam_groups", "group_id"},
	store.KindRole:  {"roles", "role_id"},
}

// holderID resolves an entity to its unique id and foreign key column.
func (t *tx) holderID(op, account string, e store.Entity) (id, fkCol string, err error) {
	h, ok := holders[e.Kind]
	if !ok {
		return "", "", store.Invalid(e.Kind, "entities of kind "+string(e.Kind)+" hold no policies")
	}
	err = t.row("SELECT id FROM "+h.table+" WHERE account = ? AND name_fold = ?", account, store.FoldName(e.Name)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", store.NotFound(e.Kind, e.Name)
	}
	if err != nil {
		return "", "", t.fail(op, err)
	}
	return id, h.fkCol, nil
}

func (t *tx) AttachPolicy(account string, e store.Entity, p store.AttachedPolicy) error {
	const op = "attach policy"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if p.ARN == "" || p.Name == "" || p.Path == "" {
		return store.Invalid(store.KindAttachment, "ARN, Name and Path must be set")
	}
	if err := checkText(store.KindAttachment, p.ARN, p.Name, p.Path); err != nil {
		return err
	}
	id, fk, err := t.holderID(op, account, e)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO policy_attachments (entity_id, policy_arn, account, entity_kind, `+fk+`, policy_name, policy_path)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entity_id, policy_arn) DO NOTHING`,
		id, p.ARN, account, string(e.Kind), id, p.Name, p.Path); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) DetachPolicy(account string, e store.Entity, policyARN string) error {
	const op = "detach policy"
	if err := t.mustWrite(); err != nil {
		return err
	}
	id, _, err := t.holderID(op, account, e)
	if err != nil {
		return err
	}
	res, err := t.exec("DELETE FROM policy_attachments WHERE entity_id = ? AND policy_arn = ?", id, policyARN)
	return t.updatedOne(op, res, err, store.KindAttachment, policyARN)
}

func (t *tx) ListAttachedPolicies(account string, e store.Entity, opts store.PathListOptions) (store.Page[store.AttachedPolicy], error) {
	const op, tag = "list attached policies", "attached"
	if err := checkText(store.KindAttachment, opts.PathPrefix); err != nil {
		return store.Page[store.AttachedPolicy]{}, err
	}
	k, err := newKeyset(store.KindAttachment, opts.ListOptions(), tag, 1)
	if err != nil {
		return store.Page[store.AttachedPolicy]{}, err
	}
	id, _, err := t.holderID(op, account, e)
	if err != nil {
		return store.Page[store.AttachedPolicy]{}, err
	}
	// An entity holds a handful of policies (AWS's quota is 10 to 20), so
	// the path filter is applied to the entity's rows rather than through
	// an index of its own.
	lo, hi, bounded := store.PathRange(opts.PathPrefix)
	if !bounded {
		hi = string([]rune{0x10FFFF, 0x10FFFF}) // no valid path reaches it
	}
	rows, err := t.query(`SELECT policy_arn, policy_name, policy_path FROM policy_attachments
WHERE entity_id = ? AND policy_arn > ? AND policy_path >= ? AND policy_path < ? ORDER BY policy_arn LIMIT ?`,
		id, k.after[0], lo, hi, k.limit+1)
	items, err := collect(t, op, rows, err, func(s scanner) (store.AttachedPolicy, error) {
		var p store.AttachedPolicy
		err := s.Scan(&p.ARN, &p.Name, &p.Path)
		return p, err
	})
	if err != nil {
		return store.Page[store.AttachedPolicy]{}, err
	}
	return page(items, k.limit, tag, func(p store.AttachedPolicy) []string { return []string{p.ARN} }), nil
}

func (t *tx) CountAttachedPolicies(account string, e store.Entity) (int, error) {
	const op = "count attached policies"
	id, _, err := t.holderID(op, account, e)
	if err != nil {
		return 0, err
	}
	return t.count(op, "SELECT COUNT(*) FROM policy_attachments WHERE entity_id = ?", id)
}

// entityNameQuery finds the name of an attachment's holder, whatever its
// kind, from the foreign key column that is set.
const entityNameQuery = `COALESCE((SELECT u.name FROM users u WHERE u.id = a.user_id),
	(SELECT g.name FROM iam_groups g WHERE g.id = a.group_id),
	(SELECT r.name FROM roles r WHERE r.id = a.role_id))`

func (t *tx) ListEntitiesForPolicy(account, policyARN string, kind store.Kind, opts store.ListOptions) (store.Page[store.PolicyEntity], error) {
	const op, tag = "list entities for policy", "entities"
	k, err := newKeyset(store.KindAttachment, opts, tag, 2)
	if err != nil {
		return store.Page[store.PolicyEntity]{}, err
	}
	var rows *sql.Rows
	if kind == "" {
		rows, err = t.query(`SELECT a.entity_kind, a.entity_id, `+entityNameQuery+` FROM policy_attachments a
WHERE a.account = ? AND a.policy_arn = ? AND (a.entity_kind, a.entity_id) > (?, ?) ORDER BY a.entity_kind, a.entity_id LIMIT ?`,
			account, policyARN, k.after[0], k.after[1], k.limit+1)
	} else {
		if _, ok := holders[kind]; !ok {
			return store.Page[store.PolicyEntity]{}, store.Invalid(kind, "entities of kind "+string(kind)+" hold no policies")
		}
		rows, err = t.query(`SELECT a.entity_kind, a.entity_id, `+entityNameQuery+` FROM policy_attachments a
WHERE a.account = ? AND a.policy_arn = ? AND a.entity_kind = ? AND (a.entity_kind, a.entity_id) > (?, ?) ORDER BY a.entity_kind, a.entity_id LIMIT ?`,
			account, policyARN, string(kind), k.after[0], k.after[1], k.limit+1)
	}
	items, err := collect(t, op, rows, err, func(s scanner) (store.PolicyEntity, error) {
		var e store.PolicyEntity
		var kind string
		err := s.Scan(&kind, &e.ID, &e.Name)
		e.Kind = store.Kind(kind)
		return e, err
	})
	if err != nil {
		return store.Page[store.PolicyEntity]{}, err
	}
	return page(items, k.limit, tag, func(e store.PolicyEntity) []string { return []string{string(e.Kind), e.ID} }), nil
}

func (t *tx) CountPolicyAttachments(account, policyARN string) (int, error) {
	return t.count("count policy attachments", "SELECT COUNT(*) FROM policy_attachments WHERE account = ? AND policy_arn = ?", account, policyARN)
}

func (t *tx) PutInlinePolicy(account string, e store.Entity, p store.InlinePolicy) error {
	const op = "put inline policy"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if p.Name == "" {
		return store.Invalid(store.KindInlinePolicy, "Name must be set")
	}
	if err := checkText(store.KindInlinePolicy, p.Name, p.Document); err != nil {
		return err
	}
	id, fk, err := t.holderID(op, account, e)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO inline_policies (entity_id, name_fold, account, entity_kind, `+fk+`, name, document)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entity_id, name_fold) DO UPDATE SET name = excluded.name, document = excluded.document`,
		id, store.FoldName(p.Name), account, string(e.Kind), id, p.Name, p.Document); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetInlinePolicy(account string, e store.Entity, name string) (store.InlinePolicy, error) {
	const op = "get inline policy"
	id, _, err := t.holderID(op, account, e)
	if err != nil {
		return store.InlinePolicy{}, err
	}
	var p store.InlinePolicy
	err = t.row("SELECT name, document FROM inline_policies WHERE entity_id = ? AND name_fold = ?", id, store.FoldName(name)).Scan(&p.Name, &p.Document)
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.NotFound(store.KindInlinePolicy, name)
	}
	if err != nil {
		return p, t.fail(op, err)
	}
	return p, nil
}

func (t *tx) DeleteInlinePolicy(account string, e store.Entity, name string) error {
	const op = "delete inline policy"
	if err := t.mustWrite(); err != nil {
		return err
	}
	id, _, err := t.holderID(op, account, e)
	if err != nil {
		return err
	}
	res, err := t.exec("DELETE FROM inline_policies WHERE entity_id = ? AND name_fold = ?", id, store.FoldName(name))
	return t.updatedOne(op, res, err, store.KindInlinePolicy, name)
}

func (t *tx) ListInlinePolicies(account string, e store.Entity, opts store.ListOptions) (store.Page[store.InlinePolicy], error) {
	const op, tag = "list inline policies", "inline"
	k, err := newKeyset(store.KindInlinePolicy, opts, tag, 1)
	if err != nil {
		return store.Page[store.InlinePolicy]{}, err
	}
	id, _, err := t.holderID(op, account, e)
	if err != nil {
		return store.Page[store.InlinePolicy]{}, err
	}
	rows, err := t.query("SELECT name, document FROM inline_policies WHERE entity_id = ? AND name_fold > ? ORDER BY name_fold LIMIT ?",
		id, k.after[0], k.limit+1)
	items, err := collect(t, op, rows, err, func(s scanner) (store.InlinePolicy, error) {
		var p store.InlinePolicy
		err := s.Scan(&p.Name, &p.Document)
		return p, err
	})
	if err != nil {
		return store.Page[store.InlinePolicy]{}, err
	}
	return page(items, k.limit, tag, func(p store.InlinePolicy) []string { return []string{store.FoldName(p.Name)} }), nil
}

func (t *tx) CountInlinePolicies(account string, e store.Entity) (int, error) {
	const op = "count inline policies"
	id, _, err := t.holderID(op, account, e)
	if err != nil {
		return 0, err
	}
	return t.count(op, "SELECT COUNT(*) FROM inline_policies WHERE entity_id = ?", id)
}
