package sqlstore

import (
	"database/sql"
	"errors"
	"slices"

	"github.com/iamd/iamd/internal/store"
)

const accountCols = "id, alias, root_email, root_password_hash, created, global_endpoint_token_version"

func scanAccount(s scanner) (store.Account, error) {
	var a store.Account
	var alias sql.NullString
	var created sql.NullInt64
	var tokenVersion int64
	err := s.Scan(&a.ID, &alias, &a.RootEmail, &a.RootPasswordHash, &created, &tokenVersion)
	a.GlobalEndpointTokenVersion = int(tokenVersion)
	a.Alias = alias.String
	a.Created = fromNanos(created)
	return a, err
}

func (t *tx) checkAccount(a store.Account) error {
	if a.ID == "" {
		return store.Invalid(store.KindAccount, "id must be set")
	}
	if err := checkText(store.KindAccount, a.ID, a.Alias, a.RootEmail); err != nil {
		return err
	}
	if a.GlobalEndpointTokenVersion != 0 && a.GlobalEndpointTokenVersion != 1 && a.GlobalEndpointTokenVersion != 2 {
		return store.Invalid(store.KindAccount, "global endpoint token version must be 1 or 2")
	}
	return checkTime(store.KindAccount, "Created", a.Created)
}

// tokenVersion is the version to store: AWS's default, 1, when unset.
func tokenVersion(a store.Account) int64 {
	if a.GlobalEndpointTokenVersion == 0 {
		return 1
	}
	return int64(a.GlobalEndpointTokenVersion)
}

func (t *tx) CreateAccount(a store.Account) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := t.checkAccount(a); err != nil {
		return err
	}
	if ok, err := t.exists("create account", "SELECT 1 FROM accounts WHERE id = ?", a.ID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindAccount, a.ID)
	}
	if a.Alias != "" {
		if ok, err := t.exists("create account", "SELECT 1 FROM accounts WHERE alias = ?", a.Alias); err != nil {
			return err
		} else if ok {
			return store.AlreadyExists(store.KindAccountAlias, a.Alias)
		}
	}
	_, err := t.exec("INSERT INTO accounts ("+accountCols+") VALUES (?, ?, ?, ?, ?, ?)",
		a.ID, nullText(a.Alias), a.RootEmail, a.RootPasswordHash, nanos(a.Created), tokenVersion(a))
	if err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindAccount, a.ID)
		}
		return t.fail("create account", err)
	}
	return nil
}

func (t *tx) EnsureAccount(a store.Account) (bool, error) {
	if err := t.mustWrite(); err != nil {
		return false, err
	}
	if err := t.checkAccount(a); err != nil {
		return false, err
	}
	if a.Alias != "" {
		if ok, err := t.exists("ensure account", "SELECT 1 FROM accounts WHERE alias = ? AND id <> ?", a.Alias, a.ID); err != nil {
			return false, err
		} else if ok {
			return false, store.AlreadyExists(store.KindAccountAlias, a.Alias)
		}
	}
	res, err := t.exec("INSERT INTO accounts ("+accountCols+") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
		a.ID, nullText(a.Alias), a.RootEmail, a.RootPasswordHash, nanos(a.Created), tokenVersion(a))
	if err != nil {
		return false, t.fail("ensure account", err)
	}
	n, err := t.affected("ensure account", res)
	return n == 1, err
}

func (t *tx) GetAccount(id string) (store.Account, error) {
	a, err := scanAccount(t.row("SELECT "+accountCols+" FROM accounts WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, store.NotFound(store.KindAccount, id)
	}
	if err != nil {
		return a, t.fail("get account", err)
	}
	return a, nil
}

func (t *tx) GetAccountByAlias(alias string) (store.Account, error) {
	a, err := scanAccount(t.row("SELECT "+accountCols+" FROM accounts WHERE alias = ?", alias))
	if errors.Is(err, sql.ErrNoRows) {
		return a, store.NotFound(store.KindAccountAlias, alias)
	}
	if err != nil {
		return a, t.fail("get account by alias", err)
	}
	return a, nil
}

func (t *tx) ListAccounts(opts store.ListOptions) (store.Page[store.Account], error) {
	const tag = "accounts"
	k, err := newKeyset(store.KindAccount, opts, tag, 1)
	if err != nil {
		return store.Page[store.Account]{}, err
	}
	rows, err := t.query("SELECT "+accountCols+" FROM accounts WHERE id > ? ORDER BY id LIMIT ?", k.after[0], k.limit+1)
	items, err := collect(t, "list accounts", rows, err, scanAccount)
	if err != nil {
		return store.Page[store.Account]{}, err
	}
	return page(items, k.limit, tag, func(a store.Account) []string { return []string{a.ID} }), nil
}

func (t *tx) SetAccountAlias(id, alias string) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := checkText(store.KindAccountAlias, alias); err != nil {
		return err
	}
	if alias != "" {
		if ok, err := t.exists("set account alias", "SELECT 1 FROM accounts WHERE alias = ? AND id <> ?", alias, id); err != nil {
			return err
		} else if ok {
			return store.AlreadyExists(store.KindAccountAlias, alias)
		}
	}
	res, err := t.exec("UPDATE accounts SET alias = ? WHERE id = ?", nullText(alias), id)
	if err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindAccountAlias, alias)
		}
		return t.fail("set account alias", err)
	}
	if n, err := t.affected("set account alias", res); err != nil {
		return err
	} else if n == 0 {
		return store.NotFound(store.KindAccount, id)
	}
	return nil
}

func (t *tx) SetRootPassword(id string, hash []byte) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	res, err := t.exec("UPDATE accounts SET root_password_hash = ? WHERE id = ?", hash, id)
	if err != nil {
		return t.fail("set root password", err)
	}
	if n, err := t.affected("set root password", res); err != nil {
		return err
	} else if n == 0 {
		return store.NotFound(store.KindAccount, id)
	}
	return nil
}

func (t *tx) SetGlobalEndpointTokenVersion(id string, version int) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if version != 1 && version != 2 {
		return store.Invalid(store.KindAccount, "global endpoint token version must be 1 or 2")
	}
	res, err := t.exec("UPDATE accounts SET global_endpoint_token_version = ? WHERE id = ?", int64(version), id)
	if err != nil {
		return t.fail("set global endpoint token version", err)
	}
	if n, err := t.affected("set global endpoint token version", res); err != nil {
		return err
	} else if n == 0 {
		return store.NotFound(store.KindAccount, id)
	}
	return nil
}

// accountTables lists every table with an account column, children before
// parents, for DeleteAccount and Reset.
var accountTables = []string{
	"sessions",
	"tags",
	"policy_attachments",
	"inline_policies",
	"policy_versions",
	"policies",
	"access_keys",
	"server_certificates",
	"signing_certificates",
	"ssh_public_keys",
	"service_credentials",
	"login_profiles",
	"mfa_devices",
	"password_policies",
	"credential_reports",
	"oidc_providers",
	"saml_providers",
	"group_members",
	"iam_groups",
	"instance_profiles",
	"roles",
	"role_deletion_tasks",
	"users",
}

func (t *tx) DeleteAccount(id string) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	if ok, err := t.exists("delete account", "SELECT 1 FROM accounts WHERE id = ?", id); err != nil {
		return err
	} else if !ok {
		return store.NotFound(store.KindAccount, id)
	}
	for _, table := range accountTables {
		if _, err := t.exec("DELETE FROM "+table+" WHERE account = ?", id); err != nil {
			return t.fail("delete account: "+table, err)
		}
	}
	if _, err := t.exec("DELETE FROM accounts WHERE id = ?", id); err != nil {
		return t.fail("delete account", err)
	}
	return nil
}

func (t *tx) Reset() error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	for _, table := range slices.Concat(accountTables, []string{"accounts"}) {
		if _, err := t.exec("DELETE FROM " + table); err != nil {
			return t.fail("reset: "+table, err)
		}
	}
	return nil
}

const summaryQuery = `SELECT
	(SELECT COUNT(*) FROM users WHERE account = ?),
	(SELECT COUNT(*) FROM iam_groups WHERE account = ?),
	(SELECT COUNT(*) FROM roles WHERE account = ?),
	(SELECT COUNT(*) FROM policies WHERE account = ?),
	(SELECT COUNT(*) FROM policy_versions WHERE account = ?),
	(SELECT COUNT(*) FROM instance_profiles WHERE account = ?),
	(SELECT COUNT(*) FROM mfa_devices WHERE account = ?),
	(SELECT COUNT(*) FROM mfa_devices WHERE account = ? AND (user_id IS NOT NULL OR root = 1)),
	(SELECT COUNT(*) FROM server_certificates WHERE account = ?),
	(SELECT COUNT(*) FROM oidc_providers WHERE account = ?) + (SELECT COUNT(*) FROM saml_providers WHERE account = ?),
	(SELECT COUNT(*) FROM mfa_devices WHERE account = ? AND root = 1),
	(SELECT COUNT(*) FROM access_keys WHERE user_id IS NULL AND account = ?),
	(SELECT COUNT(*) FROM signing_certificates WHERE user_id IS NULL AND account = ?)`

func (t *tx) AccountSummary(id string) (store.AccountSummary, error) {
	const op = "account summary"
	if err := t.accountExists(op, id); err != nil {
		return store.AccountSummary{}, err
	}
	var c [14]int64
	args := make([]any, 14)
	dest := make([]any, 13)
	for i := range args {
		args[i] = id
	}
	for i := range dest {
		dest[i] = &c[i]
	}
	if err := t.row(summaryQuery, args...).Scan(dest...); err != nil {
		return store.AccountSummary{}, t.fail(op, err)
	}
	return store.AccountSummary{
		Users: int(c[0]), Groups: int(c[1]), Roles: int(c[2]), Policies: int(c[3]), PolicyVersions: int(c[4]),
		InstanceProfiles: int(c[5]), MFADevices: int(c[6]), MFADevicesInUse: int(c[7]), ServerCertificates: int(c[8]),
		Providers: int(c[9]), RootMFAEnabled: c[10] > 0, RootAccessKeys: int(c[11]), RootSigningCertificates: int(c[12]),
	}, nil
}
