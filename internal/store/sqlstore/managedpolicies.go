package sqlstore

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/store"
)

// policyCols selects a policy with its usage counts, from "policies p".
const policyCols = `p.id, p.account, p.name, p.path, p.arn, p.description, p.created, p.updated, p.default_version,
	(SELECT COUNT(*) FROM policy_attachments a WHERE a.account = p.account AND a.policy_arn = p.arn),
	(SELECT COUNT(*) FROM users u WHERE u.account = p.account AND u.boundary = p.arn) +
	(SELECT COUNT(*) FROM roles r WHERE r.account = p.account AND r.boundary = p.arn)`

func scanPolicy(s scanner) (store.Policy, error) {
	var p store.Policy
	var desc sql.NullString
	var created, updated sql.NullInt64
	var def, attached, boundaries int64
	err := s.Scan(&p.ID, &p.Account, &p.Name, &p.Path, &p.ARN, &desc, &created, &updated, &def, &attached, &boundaries)
	p.Description = desc.String
	p.Created, p.Updated = fromNanos(created), fromNanos(updated)
	p.DefaultVersion = versionID(def)
	p.AttachmentCount, p.PermissionsBoundaryUsageCount = int(attached), int(boundaries)
	return p, err
}

func versionID(n int64) string { return "v" + strconv.FormatInt(n, 10) }

// parseVersionID reads "v<n>"; anything else names no version.
func parseVersionID(id string) (int64, bool) {
	rest, ok := strings.CutPrefix(id, "v")
	if !ok || rest == "" || rest[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n > 0
}

func (t *tx) CreatePolicy(p store.Policy, document string) error {
	const op = "create policy"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if p.ID == "" || p.Name == "" || p.Path == "" || p.ARN == "" || document == "" {
		return store.Invalid(store.KindPolicy, "ID, Name, Path, ARN and the document must be set")
	}
	if err := checkText(store.KindPolicy, p.ID, p.Name, p.Path, p.ARN, p.Description, document); err != nil {
		return err
	}
	if err := checkTime(store.KindPolicy, "Created", p.Created); err != nil {
		return err
	}
	if err := t.accountExists(op, p.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM policies WHERE account = ? AND name_fold = ?", p.Account, store.FoldName(p.Name)); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindPolicy, p.Name)
	}
	if ok, err := t.exists(op, "SELECT 1 FROM policies WHERE arn = ? OR id = ?", p.ARN, p.ID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindPolicy, p.ARN)
	}
	if _, err := t.exec(`INSERT INTO policies (id, account, name, name_fold, path, arn, description, created, updated, default_version, next_version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 2)`,
		p.ID, p.Account, p.Name, store.FoldName(p.Name), p.Path, p.ARN, nullText(p.Description), nanos(p.Created), nanos(p.Created)); err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindPolicy, p.Name)
		}
		return t.fail(op, err)
	}
	if _, err := t.exec("INSERT INTO policy_versions (policy_id, version, account, document, created) VALUES (?, 1, ?, ?, ?)",
		p.ID, p.Account, document, nanos(p.Created)); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetPolicy(account, arn string) (store.Policy, error) {
	p, err := scanPolicy(t.row("SELECT "+policyCols+" FROM policies p WHERE p.arn = ? AND p.account = ?", arn, account))
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.NotFound(store.KindPolicy, arn)
	}
	if err != nil {
		return p, t.fail("get policy", err)
	}
	return p, nil
}

// policyRow resolves a policy ARN to its id and version numbers.
func (t *tx) policyRow(op, account, arn string) (id string, def, next int64, err error) {
	err = t.row("SELECT id, default_version, next_version FROM policies WHERE arn = ? AND account = ?", arn, account).Scan(&id, &def, &next)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, 0, store.NotFound(store.KindPolicy, arn)
	}
	if err != nil {
		return "", 0, 0, t.fail(op, err)
	}
	return id, def, next, nil
}

const policyDepsQuery = `SELECT
	(SELECT COUNT(*) FROM policy_attachments WHERE account = ? AND policy_arn = ?),
	(SELECT COUNT(*) FROM policy_versions WHERE policy_id = ? AND version <> ?),
	(SELECT COUNT(*) FROM users WHERE account = ? AND boundary = ?) + (SELECT COUNT(*) FROM roles WHERE account = ? AND boundary = ?)`

func (t *tx) PolicyDependencies(account, arn string) (store.PolicyDependencies, error) {
	const op = "policy dependencies"
	id, def, _, err := t.policyRow(op, account, arn)
	if err != nil {
		return store.PolicyDependencies{}, err
	}
	var d store.PolicyDependencies
	var attached, versions, boundaries int64
	if err := t.row(policyDepsQuery, account, arn, id, def, account, arn, account, arn).Scan(&attached, &versions, &boundaries); err != nil {
		return d, t.fail(op, err)
	}
	d.Attachments, d.NonDefaultVersions, d.BoundaryUses = int(attached), int(versions), int(boundaries)
	return d, nil
}

func (t *tx) CountPermissionsBoundaryUses(account, policyARN string) (int, error) {
	return t.count("count permissions boundary uses",
		"SELECT (SELECT COUNT(*) FROM users WHERE account = ? AND boundary = ?) + (SELECT COUNT(*) FROM roles WHERE account = ? AND boundary = ?)",
		account, policyARN, account, policyARN)
}

func (t *tx) DeletePolicy(account, arn string) error {
	const op = "delete policy"
	if err := t.mustWrite(); err != nil {
		return err
	}
	d, err := t.PolicyDependencies(account, arn)
	if err != nil {
		return err
	}
	if d.Blocking() {
		return store.Conflict(store.KindPolicy, arn)
	}
	id, _, _, err := t.policyRow(op, account, arn)
	if err != nil {
		return err
	}
	if err := t.deleteTags(op, account, store.KindPolicy, id); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM policy_versions WHERE policy_id = ?", id); err != nil {
		return t.fail(op, err)
	}
	if _, err := t.exec("DELETE FROM policies WHERE id = ?", id); err != nil {
		return t.fail(op, err)
	}
	return nil
}

// policyUseFilters are the conditions of the PolicyUse filters, on
// "policies p".
var policyUseFilters = map[store.PolicyUse]string{
	store.AnyUse:                "",
	store.AttachedAsPermissions: "EXISTS (SELECT 1 FROM policy_attachments a WHERE a.account = p.account AND a.policy_arn = p.arn)",
	store.UsedAsBoundary: "(EXISTS (SELECT 1 FROM users u WHERE u.account = p.account AND u.boundary = p.arn) OR " +
		"EXISTS (SELECT 1 FROM roles r WHERE r.account = p.account AND r.boundary = p.arn))",
	store.AttachedOrBoundary: "(EXISTS (SELECT 1 FROM policy_attachments a WHERE a.account = p.account AND a.policy_arn = p.arn) OR " +
		"EXISTS (SELECT 1 FROM users u WHERE u.account = p.account AND u.boundary = p.arn) OR " +
		"EXISTS (SELECT 1 FROM roles r WHERE r.account = p.account AND r.boundary = p.arn))",
}

func (t *tx) ListPolicies(account string, opts store.PolicyListOptions) (store.Page[store.Policy], error) {
	filter, ok := policyUseFilters[opts.Use]
	if !ok {
		return store.Page[store.Policy]{}, store.Invalid(store.KindPolicy, "unknown policy use filter")
	}
	return listByPath(t, "policies p", "policies", store.KindPolicy, policyCols, filter, account,
		store.PathListOptions{PathPrefix: opts.PathPrefix, Marker: opts.Marker, MaxItems: opts.MaxItems}, scanPolicy,
		func(p store.Policy) (string, string) { return p.Path, p.Name })
}

func (t *tx) CountPolicies(account string) (int, error) {
	return t.count("count policies", "SELECT COUNT(*) FROM policies WHERE account = ?", account)
}

func (t *tx) CreatePolicyVersion(account, arn, document string, created time.Time, setDefault bool) (store.PolicyVersion, error) {
	const op = "create policy version"
	if err := t.mustWrite(); err != nil {
		return store.PolicyVersion{}, err
	}
	if document == "" {
		return store.PolicyVersion{}, store.Invalid(store.KindPolicyVersion, "the document must be set")
	}
	if err := checkText(store.KindPolicyVersion, document); err != nil {
		return store.PolicyVersion{}, err
	}
	if err := checkTime(store.KindPolicyVersion, "created", created); err != nil {
		return store.PolicyVersion{}, err
	}
	id, _, next, err := t.policyRow(op, account, arn)
	if err != nil {
		return store.PolicyVersion{}, err
	}
	if _, err := t.exec("INSERT INTO policy_versions (policy_id, version, account, document, created) VALUES (?, ?, ?, ?, ?)",
		id, next, account, document, nanos(created)); err != nil {
		return store.PolicyVersion{}, t.fail(op, err)
	}
	if setDefault {
		_, err = t.exec("UPDATE policies SET next_version = ?, default_version = ?, updated = ? WHERE id = ?", next+1, next, nanos(created), id)
	} else {
		_, err = t.exec("UPDATE policies SET next_version = ? WHERE id = ?", next+1, id)
	}
	if err != nil {
		return store.PolicyVersion{}, t.fail(op, err)
	}
	return store.PolicyVersion{ID: versionID(next), Document: document, IsDefault: setDefault, Created: created}, nil
}

func (t *tx) GetPolicyVersion(account, arn, vid string) (store.PolicyVersion, error) {
	const op = "get policy version"
	id, def, _, err := t.policyRow(op, account, arn)
	if err != nil {
		return store.PolicyVersion{}, err
	}
	n, ok := parseVersionID(vid)
	if !ok {
		return store.PolicyVersion{}, store.NotFound(store.KindPolicyVersion, vid)
	}
	v := store.PolicyVersion{ID: vid, IsDefault: n == def}
	var created sql.NullInt64
	err = t.row("SELECT document, created FROM policy_versions WHERE policy_id = ? AND version = ?", id, n).Scan(&v.Document, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return v, store.NotFound(store.KindPolicyVersion, vid)
	}
	if err != nil {
		return v, t.fail(op, err)
	}
	v.Created = fromNanos(created)
	return v, nil
}

func (t *tx) ListPolicyVersions(account, arn string, opts store.ListOptions) (store.Page[store.PolicyVersion], error) {
	const op, tag = "list policy versions", "versions"
	k, err := newKeyset(store.KindPolicyVersion, opts, tag, 1)
	if err != nil {
		return store.Page[store.PolicyVersion]{}, err
	}
	before := int64(1) << 62
	if k.after[0] != "" {
		n, ok := parseVersionID(k.after[0])
		if !ok {
			return store.Page[store.PolicyVersion]{}, store.Invalid(store.KindPolicyVersion, "marker was not issued by this list")
		}
		before = n
	}
	id, def, _, err := t.policyRow(op, account, arn)
	if err != nil {
		return store.Page[store.PolicyVersion]{}, err
	}
	rows, err := t.query("SELECT version, document, created FROM policy_versions WHERE policy_id = ? AND version < ? ORDER BY version DESC LIMIT ?",
		id, before, k.limit+1)
	items, err := collect(t, op, rows, err, func(s scanner) (store.PolicyVersion, error) {
		var v store.PolicyVersion
		var n int64
		var created sql.NullInt64
		err := s.Scan(&n, &v.Document, &created)
		v.ID, v.IsDefault, v.Created = versionID(n), n == def, fromNanos(created)
		return v, err
	})
	if err != nil {
		return store.Page[store.PolicyVersion]{}, err
	}
	return page(items, k.limit, tag, func(v store.PolicyVersion) []string { return []string{v.ID} }), nil
}

func (t *tx) CountPolicyVersions(account, arn string) (int, error) {
	const op = "count policy versions"
	id, _, _, err := t.policyRow(op, account, arn)
	if err != nil {
		return 0, err
	}
	return t.count(op, "SELECT COUNT(*) FROM policy_versions WHERE policy_id = ?", id)
}

func (t *tx) DeletePolicyVersion(account, arn, vid string) error {
	const op = "delete policy version"
	if err := t.mustWrite(); err != nil {
		return err
	}
	id, def, _, err := t.policyRow(op, account, arn)
	if err != nil {
		return err
	}
	n, ok := parseVersionID(vid)
	if !ok {
		return store.NotFound(store.KindPolicyVersion, vid)
	}
	if n == def {
		return store.Conflict(store.KindPolicyVersion, vid)
	}
	res, err := t.exec("DELETE FROM policy_versions WHERE policy_id = ? AND version = ?", id, n)
	return t.updatedOne(op, res, err, store.KindPolicyVersion, vid)
}

func (t *tx) SetDefaultPolicyVersion(account, arn, vid string, at time.Time) error {
	const op = "set default policy version"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := checkTime(store.KindPolicyVersion, "at", at); err != nil {
		return err
	}
	id, _, _, err := t.policyRow(op, account, arn)
	if err != nil {
		return err
	}
	n, ok := parseVersionID(vid)
	if !ok {
		return store.NotFound(store.KindPolicyVersion, vid)
	}
	if found, err := t.exists(op, "SELECT 1 FROM policy_versions WHERE policy_id = ? AND version = ?", id, n); err != nil {
		return err
	} else if !found {
		return store.NotFound(store.KindPolicyVersion, vid)
	}
	if _, err := t.exec("UPDATE policies SET default_version = ?, updated = ? WHERE id = ?", n, nanos(at), id); err != nil {
		return t.fail(op, err)
	}
	return nil
}
