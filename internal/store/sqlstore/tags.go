package sqlstore

import (
	"strconv"
	"strings"

	"github.com/iamd/iamd/internal/store"
)

// taggable maps each taggable kind to the table and column that hold its
// resources' ids, so that tags are only ever written for resources that
// exist.
var taggable = map[store.Kind]struct{ table, idCol string }{
	store.KindUser:              {"users", "id"},
	store.KindRole:              {"roles", "id"},
	store.KindPolicy:            {"policies", "id"},
	store.KindInstanceProfile:   {"instance_profiles", "id"},
	store.KindMFADevice:         {"mfa_devices", "serial"},
	store.KindOIDCProvider:      {"oidc_providers", "arn"},
	store.KindSAMLProvider:      {"saml_providers", "arn"},
	store.KindServerCertificate: {"server_certificates", "id"},
}

// tagKeyFold returns the form of a tag key that uniqueness compares.
func tagKeyFold(kind store.Kind, key string) string {
	if kind.FoldsTagKeys() {
		return strings.ToLower(key)
	}
	return key
}

// resourceExists checks a tag reference.
func (t *tx) resourceExists(op string, ref store.ResourceRef) error {
	tt, ok := taggable[ref.Kind]
	if !ok {
		return store.Invalid(store.KindTag, "resources of kind "+string(ref.Kind)+" carry no tags")
	}
	found, err := t.exists(op, "SELECT 1 FROM "+tt.table+" WHERE "+tt.idCol+" = ? AND account = ?", ref.ID, ref.Account)
	if err != nil {
		return err
	}
	if !found {
		return store.NotFound(ref.Kind, ref.ID)
	}
	return nil
}

func (t *tx) TagResource(ref store.ResourceRef, tags []store.Tag) error {
	const op = "tag resource"
	if err := t.mustWrite(); err != nil {
		return err
	}
	for _, tg := range tags {
		if tg.Key == "" {
			return store.Invalid(store.KindTag, "tag key must not be empty")
		}
		if err := checkText(store.KindTag, tg.Key, tg.Value); err != nil {
			return err
		}
	}
	if err := t.resourceExists(op, ref); err != nil {
		return err
	}
	var last int64
	if err := t.row("SELECT COALESCE(MAX(seq), 0) FROM tags WHERE account = ? AND kind = ? AND resource_id = ?",
		ref.Account, string(ref.Kind), ref.ID).Scan(&last); err != nil {
		return t.fail(op, err)
	}
	for i, tg := range tags {
		// A replaced tag keeps its seq; a new one takes the next.
		if _, err := t.exec(`INSERT INTO tags (account, kind, resource_id, key_fold, tag_key, tag_value, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (account, kind, resource_id, key_fold) DO UPDATE SET tag_key = excluded.tag_key, tag_value = excluded.tag_value`,
			ref.Account, string(ref.Kind), ref.ID, tagKeyFold(ref.Kind, tg.Key), tg.Key, tg.Value, last+int64(i)+1); err != nil {
			return t.fail(op, err)
		}
	}
	return nil
}

func (t *tx) UntagResource(ref store.ResourceRef, keys []string) error {
	const op = "untag resource"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if err := checkText(store.KindTag, keys...); err != nil {
		return err
	}
	if err := t.resourceExists(op, ref); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := t.exec("DELETE FROM tags WHERE account = ? AND kind = ? AND resource_id = ? AND key_fold = ?",
			ref.Account, string(ref.Kind), ref.ID, tagKeyFold(ref.Kind, k)); err != nil {
			return t.fail(op, err)
		}
	}
	return nil
}

// tagAt is a tag with its position, for markers.
type tagAt struct {
	store.Tag
	seq int64
}

func (t *tx) ListTags(ref store.ResourceRef, opts store.ListOptions) (store.Page[store.Tag], error) {
	const op, tag = "list tags", "tags"
	k, err := newKeyset(store.KindTag, opts, tag, 1)
	if err != nil {
		return store.Page[store.Tag]{}, err
	}
	after := int64(0)
	if k.after[0] != "" {
		if after, err = strconv.ParseInt(k.after[0], 10, 64); err != nil {
			return store.Page[store.Tag]{}, store.Invalid(store.KindTag, "marker was not issued by this list")
		}
	}
	if err := t.resourceExists(op, ref); err != nil {
		return store.Page[store.Tag]{}, err
	}
	rows, err := t.query("SELECT tag_key, tag_value, seq FROM tags WHERE account = ? AND kind = ? AND resource_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		ref.Account, string(ref.Kind), ref.ID, after, k.limit+1)
	items, err := collect(t, op, rows, err, func(s scanner) (tagAt, error) {
		var v tagAt
		err := s.Scan(&v.Key, &v.Value, &v.seq)
		return v, err
	})
	if err != nil {
		return store.Page[store.Tag]{}, err
	}
	p := page(items, k.limit, tag, func(v tagAt) []string { return []string{strconv.FormatInt(v.seq, 10)} })
	out := store.Page[store.Tag]{Items: make([]store.Tag, len(p.Items)), Marker: p.Marker}
	for i, v := range p.Items {
		out.Items[i] = v.Tag
	}
	return out, nil
}

func (t *tx) CountTags(ref store.ResourceRef) (int, error) {
	const op = "count tags"
	if err := t.resourceExists(op, ref); err != nil {
		return 0, err
	}
	return t.count(op, "SELECT COUNT(*) FROM tags WHERE account = ? AND kind = ? AND resource_id = ?",
		ref.Account, string(ref.Kind), ref.ID)
}

// deleteTags removes a resource's tags when it is deleted.
func (t *tx) deleteTags(op string, account string, kind store.Kind, id string) error {
	if _, err := t.exec("DELETE FROM tags WHERE account = ? AND kind = ? AND resource_id = ?", account, string(kind), id); err != nil {
		return t.fail(op, err)
	}
	return nil
}
