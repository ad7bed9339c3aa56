package sqlstore

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"

	"github.com/iamd/iamd/internal/store"
)

// sealedTable is where a one-secret-per-row column lives.
type sealedTable struct {
	table, id, column string
}

// sealedTables maps the columns holding one secret per row; the SAML
// providers' JSON list of keys is handled apart.
var sealedTables = map[store.SealedColumn]sealedTable{
	store.SealedAccessKeySecrets:           {"access_keys", "id", "secret"},
	store.SealedSessionSecrets:             {"sessions", "access_key_id", "secret"},
	store.SealedMFASeeds:                   {"mfa_devices", "serial", "seed"},
	store.SealedServerCertificateKeys:      {"server_certificates", "id", "private_key"},
	store.SealedServiceCredentialPasswords: {"service_credentials", "id", "password"},
}

func unknownSealedColumn(c store.SealedColumn) error {
	return store.Invalid(store.KindSealedSecret, "no sealed column "+string(c))
}

func (t *tx) ListSealed(column store.SealedColumn, opts store.ListOptions) (store.Page[store.SealedSecret], error) {
	const op = "list sealed secrets"
	tag := "sealed " + string(column)
	k, err := newKeyset(store.KindSealedSecret, opts, tag, 1)
	if err != nil {
		return store.Page[store.SealedSecret]{}, err
	}
	if column == store.SealedSAMLPrivateKeys {
		return t.listSealedSAML(op, tag, k)
	}
	st, ok := sealedTables[column]
	if !ok {
		return store.Page[store.SealedSecret]{}, unknownSealedColumn(column)
	}
	rows, err := t.query("SELECT "+st.id+", "+st.column+" FROM "+st.table+" WHERE "+st.id+" > ? ORDER BY "+st.id+" LIMIT ?",
		k.after[0], k.limit+1)
	if err != nil {
		return store.Page[store.SealedSecret]{}, t.fail(op, err)
	}
	defer rows.Close()
	var items []store.SealedSecret
	for rows.Next() {
		s := store.SealedSecret{Column: column}
		if err := rows.Scan(&s.ID, &s.Ciphertext); err != nil {
			return store.Page[store.SealedSecret]{}, t.fail(op, err)
		}
		s.AssociatedData = []byte(s.ID)
		items = append(items, s)
	}
	if err := rows.Err(); err != nil {
		return store.Page[store.SealedSecret]{}, t.fail(op, err)
	}
	return page(items, k.limit, tag, func(s store.SealedSecret) []string { return []string{s.ID} }), nil
}

// listSealedSAML pages SAML providers by ARN and returns each provider's
// keys together, so that a marker (the last ARN) never splits a provider.
func (t *tx) listSealedSAML(op, tag string, k keyset) (store.Page[store.SealedSecret], error) {
	rows, err := t.query("SELECT arn, private_keys FROM saml_providers WHERE arn > ? ORDER BY arn LIMIT ?", k.after[0], k.limit+1)
	if err != nil {
		return store.Page[store.SealedSecret]{}, t.fail(op, err)
	}
	defer rows.Close()
	type provider struct {
		arn  string
		keys []samlKey
	}
	var providers []provider
	for rows.Next() {
		var p provider
		var keys string
		if err := rows.Scan(&p.arn, &keys); err != nil {
			return store.Page[store.SealedSecret]{}, t.fail(op, err)
		}
		if err := json.Unmarshal([]byte(keys), &p.keys); err != nil {
			return store.Page[store.SealedSecret]{}, t.fail(op, err)
		}
		providers = append(providers, p)
	}
	if err := rows.Err(); err != nil {
		return store.Page[store.SealedSecret]{}, t.fail(op, err)
	}
	pg := page(providers, k.limit, tag, func(p provider) []string { return []string{p.arn} })
	out := store.Page[store.SealedSecret]{Marker: pg.Marker}
	for _, p := range pg.Items {
		for _, key := range p.keys {
			out.Items = append(out.Items, store.SealedSecret{
				Column: store.SealedSAMLPrivateKeys, ID: p.arn, Item: key.KeyID,
				Ciphertext: key.Key, AssociatedData: []byte(key.KeyID),
			})
		}
	}
	return out, nil
}

func (t *tx) ReplaceSealed(s store.SealedSecret, sealed []byte) (bool, error) {
	const op = "replace sealed secret"
	if err := t.mustWrite(); err != nil {
		return false, err
	}
	if len(sealed) == 0 || len(s.Ciphertext) == 0 {
		return false, store.Invalid(store.KindSealedSecret, "old and new ciphertexts must be set")
	}
	if s.Column == store.SealedSAMLPrivateKeys {
		return t.replaceSealedSAML(op, s, sealed)
	}
	st, ok := sealedTables[s.Column]
	if !ok {
		return false, unknownSealedColumn(s.Column)
	}
	res, err := t.exec("UPDATE "+st.table+" SET "+st.column+" = ? WHERE "+st.id+" = ? AND "+st.column+" = ?",
		sealed, s.ID, s.Ciphertext)
	if err != nil {
		return false, t.fail(op, err)
	}
	n, err := t.affected(op, res)
	return n == 1, err
}

// replaceSealedSAML rewrites one key of a provider's JSON list, within the
// transaction, if it still holds the old ciphertext.
func (t *tx) replaceSealedSAML(op string, s store.SealedSecret, sealed []byte) (bool, error) {
	var text string
	switch err := t.row("SELECT private_keys FROM saml_providers WHERE arn = ?", s.ID).Scan(&text); {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, t.fail(op, err)
	}
	var keys []samlKey
	if err := json.Unmarshal([]byte(text), &keys); err != nil {
		return false, t.fail(op, err)
	}
	i := slices.IndexFunc(keys, func(k samlKey) bool { return k.KeyID == s.Item })
	if i < 0 || !bytes.Equal(keys[i].Key, s.Ciphertext) {
		return false, nil
	}
	keys[i].Key = sealed
	out, err := jsonList(keys)
	if err != nil {
		return false, t.fail(op, err)
	}
	if _, err := t.exec("UPDATE saml_providers SET private_keys = ? WHERE arn = ?", out, s.ID); err != nil {
		return false, t.fail(op, err)
	}
	return true, nil
}
