package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/iamd/iamd/internal/store"
)

// jsonList encodes a list column; nil is the empty list.
func jsonList[T any](v []T) (string, error) {
	if v == nil {
		v = []T{}
	}
	b, err := json.Marshal(v)
	return string(b), err
}

const oidcCols = "arn, account, url, client_ids, thumbprints, created"

func scanOIDC(s scanner) (store.OIDCProvider, error) {
	var p store.OIDCProvider
	var clients, thumbs string
	var created sql.NullInt64
	if err := s.Scan(&p.ARN, &p.Account, &p.URL, &clients, &thumbs, &created); err != nil {
		return p, err
	}
	p.Created = fromNanos(created)
	if err := json.Unmarshal([]byte(clients), &p.ClientIDs); err != nil {
		return p, err
	}
	return p, json.Unmarshal([]byte(thumbs), &p.Thumbprints)
}

func (t *tx) CreateOIDCProvider(p store.OIDCProvider) error {
	const op = "create OIDC provider"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if p.ARN == "" || p.URL == "" {
		return store.Invalid(store.KindOIDCProvider, "ARN and URL must be set")
	}
	if err := checkText(store.KindOIDCProvider, append(append([]string{p.ARN, p.URL}, p.ClientIDs...), p.Thumbprints...)...); err != nil {
		return err
	}
	if err := checkTime(store.KindOIDCProvider, "Created", p.Created); err != nil {
		return err
	}
	if err := t.accountExists(op, p.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM oidc_providers WHERE arn = ?", p.ARN); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindOIDCProvider, p.ARN)
	}
	clients, err := jsonList(p.ClientIDs)
	if err != nil {
		return t.fail(op, err)
	}
	thumbs, err := jsonList(p.Thumbprints)
	if err != nil {
		return t.fail(op, err)
	}
	if _, err := t.exec("INSERT INTO oidc_providers ("+oidcCols+") VALUES (?, ?, ?, ?, ?, ?)",
		p.ARN, p.Account, p.URL, clients, thumbs, nanos(p.Created)); err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindOIDCProvider, p.ARN)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetOIDCProvider(account, arn string) (store.OIDCProvider, error) {
	p, err := scanOIDC(t.row("SELECT "+oidcCols+" FROM oidc_providers WHERE arn = ? AND account = ?", arn, account))
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.NotFound(store.KindOIDCProvider, arn)
	}
	if err != nil {
		return p, t.fail("get OIDC provider", err)
	}
	return p, nil
}

// updateOIDCLists rewrites a provider's lists after edit changes them.
func (t *tx) updateOIDCLists(op, account, arn string, edit func(p *store.OIDCProvider)) error {
	if err := t.mustWrite(); err != nil {
		return err
	}
	p, err := t.GetOIDCProvider(account, arn)
	if err != nil {
		return err
	}
	edit(&p)
	clients, err := jsonList(p.ClientIDs)
	if err != nil {
		return t.fail(op, err)
	}
	thumbs, err := jsonList(p.Thumbprints)
	if err != nil {
		return t.fail(op, err)
	}
	if _, err := t.exec("UPDATE oidc_providers SET client_ids = ?, thumbprints = ? WHERE arn = ?", clients, thumbs, arn); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) AddOIDCClientID(account, arn, clientID string) error {
	if err := checkText(store.KindOIDCProvider, clientID); err != nil {
		return err
	}
	return t.updateOIDCLists("add OIDC client id", account, arn, func(p *store.OIDCProvider) {
		if !slices.Contains(p.ClientIDs, clientID) {
			p.ClientIDs = append(p.ClientIDs, clientID)
		}
	})
}

func (t *tx) RemoveOIDCClientID(account, arn, clientID string) error {
	return t.updateOIDCLists("remove OIDC client id", account, arn, func(p *store.OIDCProvider) {
		p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(c string) bool { return c == clientID })
	})
}

func (t *tx) SetOIDCThumbprints(account, arn string, thumbprints []string) error {
	if err := checkText(store.KindOIDCProvider, thumbprints...); err != nil {
		return err
	}
	return t.updateOIDCLists("set OIDC thumbprints", account, arn, func(p *store.OIDCProvider) {
		p.Thumbprints = slices.Clone(thumbprints)
	})
}

func (t *tx) DeleteOIDCProvider(account, arn string) error {
	const op = "delete OIDC provider"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if _, err := t.GetOIDCProvider(account, arn); err != nil {
		return err
	}
	if err := t.deleteTags(op, account, store.KindOIDCProvider, arn); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM oidc_providers WHERE arn = ?", arn); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) ListOIDCProviders(account string, opts store.ListOptions) (store.Page[store.OIDCProvider], error) {
	const op, tag = "list OIDC providers", "oidc"
	k, err := newKeyset(store.KindOIDCProvider, opts, tag, 1)
	if err != nil {
		return store.Page[store.OIDCProvider]{}, err
	}
	rows, err := t.query("SELECT "+oidcCols+" FROM oidc_providers WHERE account = ? AND arn > ? ORDER BY arn LIMIT ?", account, k.after[0], k.limit+1)
	items, err := collect(t, op, rows, err, scanOIDC)
	if err != nil {
		return store.Page[store.OIDCProvider]{}, err
	}
	return page(items, k.limit, tag, func(p store.OIDCProvider) []string { return []string{p.ARN} }), nil
}

const samlCols = "arn, account, name, uuid, metadata, valid_until, created, encryption_mode, private_keys"

// samlKey is a SAMLPrivateKey as stored in the JSON column.
type samlKey struct {
	KeyID     string `json:"id"`
	Key       []byte `json:"key"`
	Timestamp int64  `json:"ts"`
}

func encodeSAMLKeys(keys []store.SAMLPrivateKey) (string, error) {
	out := make([]samlKey, len(keys))
	for i, k := range keys {
		out[i] = samlKey{KeyID: k.KeyID, Key: k.Key, Timestamp: k.Timestamp.UnixNano()}
	}
	return jsonList(out)
}

func scanSAML(s scanner) (store.SAMLProvider, error) {
	var p store.SAMLProvider
	var validUntil, created sql.NullInt64
	var mode sql.NullString
	var keys string
	if err := s.Scan(&p.ARN, &p.Account, &p.Name, &p.UUID, &p.Metadata, &validUntil, &created, &mode, &keys); err != nil {
		return p, err
	}
	p.ValidUntil, p.Created, p.AssertionEncryptionMode = fromNanos(validUntil), fromNanos(created), mode.String
	var stored []samlKey
	if err := json.Unmarshal([]byte(keys), &stored); err != nil {
		return p, err
	}
	for _, k := range stored {
		p.PrivateKeys = append(p.PrivateKeys, store.SAMLPrivateKey{KeyID: k.KeyID, Key: k.Key, Timestamp: time.Unix(0, k.Timestamp).UTC()})
	}
	return p, nil
}

func checkSAMLKeys(keys []store.SAMLPrivateKey) error {
	for _, k := range keys {
		if k.KeyID == "" || len(k.Key) == 0 || k.Timestamp.IsZero() {
			return store.Invalid(store.KindSAMLProvider, "a private key needs KeyID, Key and Timestamp")
		}
		if err := checkText(store.KindSAMLProvider, k.KeyID); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) CreateSAMLProvider(p store.SAMLProvider) error {
	const op = "create SAML provider"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if p.ARN == "" || p.Name == "" || p.UUID == "" || p.Metadata == "" {
		return store.Invalid(store.KindSAMLProvider, "ARN, Name, UUID and Metadata must be set")
	}
	if err := checkText(store.KindSAMLProvider, p.ARN, p.Name, p.UUID, p.Metadata, p.AssertionEncryptionMode); err != nil {
		return err
	}
	if err := checkSAMLKeys(p.PrivateKeys); err != nil {
		return err
	}
	if err := checkTime(store.KindSAMLProvider, "Created", p.Created); err != nil {
		return err
	}
	if err := t.accountExists(op, p.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM saml_providers WHERE arn = ? OR (account = ? AND name_fold = ?)", p.ARN, p.Account, store.FoldName(p.Name)); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindSAMLProvider, p.Name)
	}
	keys, err := encodeSAMLKeys(p.PrivateKeys)
	if err != nil {
		return t.fail(op, err)
	}
	if _, err := t.exec(`INSERT INTO saml_providers (arn, account, name, name_fold, uuid, metadata, valid_until, created, encryption_mode, private_keys)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ARN, p.Account, p.Name, store.FoldName(p.Name), p.UUID, p.Metadata, nanos(p.ValidUntil), nanos(p.Created),
		nullText(p.AssertionEncryptionMode), keys); err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindSAMLProvider, p.Name)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetSAMLProvider(account, arn string) (store.SAMLProvider, error) {
	p, err := scanSAML(t.row("SELECT "+samlCols+" FROM saml_providers WHERE arn = ? AND account = ?", arn, account))
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.NotFound(store.KindSAMLProvider, arn)
	}
	if err != nil {
		return p, t.fail("get SAML provider", err)
	}
	return p, nil
}

func (t *tx) UpdateSAMLProvider(account, arn string, upd store.SAMLProviderUpdate) (store.SAMLProvider, error) {
	const op = "update SAML provider"
	if err := t.mustWrite(); err != nil {
		return store.SAMLProvider{}, err
	}
	if err := checkText(store.KindSAMLProvider, upd.Metadata); err != nil {
		return store.SAMLProvider{}, err
	}
	if upd.AssertionEncryptionMode != nil {
		if err := checkText(store.KindSAMLProvider, *upd.AssertionEncryptionMode); err != nil {
			return store.SAMLProvider{}, err
		}
	}
	if upd.PrivateKeys != nil {
		if err := checkSAMLKeys(*upd.PrivateKeys); err != nil {
			return store.SAMLProvider{}, err
		}
	}
	p, err := t.GetSAMLProvider(account, arn)
	if err != nil {
		return p, err
	}
	if upd.Metadata != "" {
		p.Metadata, p.ValidUntil = upd.Metadata, upd.ValidUntil
	}
	if upd.AssertionEncryptionMode != nil {
		p.AssertionEncryptionMode = *upd.AssertionEncryptionMode
	}
	if upd.PrivateKeys != nil {
		p.PrivateKeys = slices.Clone(*upd.PrivateKeys)
	}
	keys, err := encodeSAMLKeys(p.PrivateKeys)
	if err != nil {
		return p, t.fail(op, err)
	}
	if _, err := t.exec("UPDATE saml_providers SET metadata = ?, valid_until = ?, encryption_mode = ?, private_keys = ? WHERE arn = ?",
		p.Metadata, nanos(p.ValidUntil), nullText(p.AssertionEncryptionMode), keys, arn); err != nil {
		return p, t.fail(op, err)
	}
	return p, nil
}

func (t *tx) DeleteSAMLProvider(account, arn string) error {
	const op = "delete SAML provider"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if _, err := t.GetSAMLProvider(account, arn); err != nil {
		return err
	}
	if err := t.deleteTags(op, account, store.KindSAMLProvider, arn); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM saml_providers WHERE arn = ?", arn); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) ListSAMLProviders(account string, opts store.ListOptions) (store.Page[store.SAMLProvider], error) {
	const op, tag = "list SAML providers", "saml"
	k, err := newKeyset(store.KindSAMLProvider, opts, tag, 1)
	if err != nil {
		return store.Page[store.SAMLProvider]{}, err
	}
	rows, err := t.query("SELECT "+samlCols+" FROM saml_providers WHERE account = ? AND arn > ? ORDER BY arn LIMIT ?", account, k.after[0], k.limit+1)
	items, err := collect(t, op, rows, err, scanSAML)
	if err != nil {
		return store.Page[store.SAMLProvider]{}, err
	}
	return page(items, k.limit, tag, func(p store.SAMLProvider) []string { return []string{p.ARN} }), nil
}
