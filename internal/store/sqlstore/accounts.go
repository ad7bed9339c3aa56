package sqlstore

import (
	"database/sql"
	"errors"
	"slices"

	"github.com/iamd/iamd/internal/store"
)

const accountCols = "id, alias, root_email, root_password_hash, created"

func scanAccount(s scanner) (store.Account, error) {
	var a store.Account
	var alias sql.NullString
	var created sql.NullInt64
	err := s.Scan(&a.ID, &alias, &a.RootEmail, &a.RootPasswordHash, &created)
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
	return checkTime(store.KindAccount, "Created", a.Created)
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
	_, err := t.exec("INSERT INTO accounts ("+accountCols+") VALUES (?, ?, ?, ?, ?)",
		a.ID, nullText(a.Alias), a.RootEmail, a.RootPasswordHash, nanos(a.Created))
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
	res, err := t.exec("INSERT INTO accounts ("+accountCols+") VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
		a.ID, nullText(a.Alias), a.RootEmail, a.RootPasswordHash, nanos(a.Created))
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

// accountTables lists every table with an account column, children before
// parents, for DeleteAccount and Reset.
var accountTables = []string{
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
