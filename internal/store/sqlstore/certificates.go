package sqlstore

import (
	"database/sql"
	"errors"

	"github.com/iamd/iamd/internal/store"
)

const serverCertCols = "id, account, name, path, arn, body, chain, private_key, uploaded, expiration"

func scanServerCert(s scanner) (store.ServerCertificate, error) {
	var c store.ServerCertificate
	var chain sql.NullString
	var uploaded, expiration sql.NullInt64
	err := s.Scan(&c.ID, &c.Account, &c.Name, &c.Path, &c.ARN, &c.Body, &chain, &c.PrivateKey, &uploaded, &expiration)
	c.Chain, c.Uploaded, c.Expiration = chain.String, fromNanos(uploaded), fromNanos(expiration)
	return c, err
}

func (t *tx) UploadServerCertificate(c store.ServerCertificate) error {
	const op = "upload server certificate"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if c.ID == "" || c.Name == "" || c.Path == "" || c.ARN == "" || c.Body == "" || len(c.PrivateKey) == 0 {
		return store.Invalid(store.KindServerCertificate, "ID, Name, Path, ARN, Body and PrivateKey must be set")
	}
	if err := checkText(store.KindServerCertificate, c.ID, c.Name, c.Path, c.ARN, c.Body, c.Chain); err != nil {
		return err
	}
	if err := checkTime(store.KindServerCertificate, "Uploaded", c.Uploaded); err != nil {
		return err
	}
	if err := checkTime(store.KindServerCertificate, "Expiration", c.Expiration); err != nil {
		return err
	}
	if err := t.accountExists(op, c.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM server_certificates WHERE (account = ? AND name_fold = ?) OR id = ? OR arn = ?",
		c.Account, store.FoldName(c.Name), c.ID, c.ARN); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindServerCertificate, c.Name)
	}
	if _, err := t.exec(`INSERT INTO server_certificates (id, account, name, name_fold, path, arn, body, chain, private_key, uploaded, expiration)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Account, c.Name, store.FoldName(c.Name), c.Path, c.ARN, c.Body, nullText(c.Chain), c.PrivateKey,
		nanos(c.Uploaded), nanos(c.Expiration)); err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindServerCertificate, c.Name)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetServerCertificate(account, name string) (store.ServerCertificate, error) {
	c, err := scanServerCert(t.row("SELECT "+serverCertCols+" FROM server_certificates WHERE account = ? AND name_fold = ?", account, store.FoldName(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.NotFound(store.KindServerCertificate, name)
	}
	if err != nil {
		return c, t.fail("get server certificate", err)
	}
	return c, nil
}

func (t *tx) UpdateServerCertificate(account, name string, upd store.ServerCertificateUpdate) (store.ServerCertificate, error) {
	const op = "update server certificate"
	if err := t.mustWrite(); err != nil {
		return store.ServerCertificate{}, err
	}
	if (upd.NewName != "" || upd.NewPath != "") && upd.NewARN == "" {
		return store.ServerCertificate{}, store.Invalid(store.KindServerCertificate, "NewARN must be set with NewName or NewPath")
	}
	if err := checkText(store.KindServerCertificate, upd.NewName, upd.NewPath, upd.NewARN); err != nil {
		return store.ServerCertificate{}, err
	}
	c, err := t.GetServerCertificate(account, name)
	if err != nil {
		return c, err
	}
	if upd.NewName != "" {
		if ok, err := t.exists(op, "SELECT 1 FROM server_certificates WHERE account = ? AND name_fold = ?", account, store.FoldName(upd.NewName)); err != nil {
			return c, err
		} else if ok {
			return c, store.AlreadyExists(store.KindServerCertificate, upd.NewName)
		}
		c.Name = upd.NewName
	}
	if upd.NewPath != "" {
		c.Path = upd.NewPath
	}
	if upd.NewARN != "" && upd.NewARN != c.ARN {
		if ok, err := t.exists(op, "SELECT 1 FROM server_certificates WHERE arn = ?", upd.NewARN); err != nil {
			return c, err
		} else if ok {
			return c, store.AlreadyExists(store.KindServerCertificate, upd.NewARN)
		}
		c.ARN = upd.NewARN
	}
	if _, err := t.exec("UPDATE server_certificates SET name = ?, name_fold = ?, path = ?, arn = ? WHERE id = ?",
		c.Name, store.FoldName(c.Name), c.Path, c.ARN, c.ID); err != nil {
		if t.class(err) == ClassUnique {
			return c, store.AlreadyExists(store.KindServerCertificate, c.Name)
		}
		return c, t.fail(op, err)
	}
	return c, nil
}

func (t *tx) DeleteServerCertificate(account, name string) error {
	const op = "delete server certificate"
	if err := t.mustWrite(); err != nil {
		return err
	}
	c, err := t.GetServerCertificate(account, name)
	if err != nil {
		return err
	}
	if err := t.deleteTags(op, account, store.KindServerCertificate, c.ID); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM server_certificates WHERE id = ?", c.ID); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) ListServerCertificates(account string, opts store.PathListOptions) (store.Page[store.ServerCertificate], error) {
	return listByPath(t, "server_certificates", "server_certificates", store.KindServerCertificate, serverCertCols, "", account, opts, scanServerCert,
		func(c store.ServerCertificate) (string, string) { return c.Path, c.Name })
}

func (t *tx) CountServerCertificates(account string) (int, error) {
	return t.count("count server certificates", "SELECT COUNT(*) FROM server_certificates WHERE account = ?", account)
}

// The per-user credential tables share their owner, status and deletion
// rules: ownedBy builds the condition that a row belongs to the owner a
// (possibly root) user name resolves to.
func ownedBy(uid string) (cond string, args []any) {
	if uid == "" {
		return "user_id IS NULL", nil
	}
	return "user_id = ?", []any{uid}
}

// setCredentialStatus and deleteCredential act on one row of a per-user
// credential table, which must belong to the owner.
func (t *tx) setCredentialStatus(op, table string, kind store.Kind, account, uid, id string, status store.AccessKeyStatus) error {
	if !validStatus(status) {
		return store.Invalid(kind, "status "+string(status)+" is neither Active nor Inactive")
	}
	cond, args := ownedBy(uid)
	res, err := t.exec("UPDATE "+table+" SET status = ? WHERE id = ? AND account = ? AND "+cond, append([]any{string(status), id, account}, args...)...)
	return t.updatedOne(op, res, err, kind, id)
}

func (t *tx) deleteCredential(op, table string, kind store.Kind, account, uid, id string) error {
	cond, args := ownedBy(uid)
	res, err := t.exec("DELETE FROM "+table+" WHERE id = ? AND account = ? AND "+cond, append([]any{id, account}, args...)...)
	return t.updatedOne(op, res, err, kind, id)
}

const signingCols = "c.id, c.account, c.user_id, (SELECT u.name FROM users u WHERE u.id = c.user_id), c.body, c.status, c.uploaded"

func scanSigning(s scanner) (store.SigningCertificate, error) {
	var c store.SigningCertificate
	var uid, uname sql.NullString
	var status string
	var uploaded sql.NullInt64
	err := s.Scan(&c.ID, &c.Account, &uid, &uname, &c.Body, &status, &uploaded)
	c.UserID, c.UserName, c.Status, c.Uploaded = uid.String, uname.String, store.AccessKeyStatus(status), fromNanos(uploaded)
	return c, err
}

func (t *tx) UploadSigningCertificate(c store.SigningCertificate) error {
	const op = "upload signing certificate"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if c.ID == "" || c.Body == "" || !validStatus(c.Status) {
		return store.Invalid(store.KindSigningCertificate, "ID, Body and an Active or Inactive Status must be set")
	}
	if err := checkText(store.KindSigningCertificate, c.ID, c.Body); err != nil {
		return err
	}
	if err := checkTime(store.KindSigningCertificate, "Uploaded", c.Uploaded); err != nil {
		return err
	}
	uid, err := t.keyOwner(op, c.Account, c.UserName)
	if err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM signing_certificates WHERE id = ?", c.ID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindSigningCertificate, c.ID)
	}
	if _, err := t.exec("INSERT INTO signing_certificates (id, account, user_id, body, status, uploaded) VALUES (?, ?, ?, ?, ?, ?)",
		c.ID, c.Account, nullText(uid), c.Body, string(c.Status), nanos(c.Uploaded)); err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindSigningCertificate, c.ID)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) ListSigningCertificates(account, user string, opts store.ListOptions) (store.Page[store.SigningCertificate], error) {
	const op, tag = "list signing certificates", "signing"
	k, err := newKeyset(store.KindSigningCertificate, opts, tag, 1)
	if err != nil {
		return store.Page[store.SigningCertificate]{}, err
	}
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return store.Page[store.SigningCertificate]{}, err
	}
	cond, args := ownedBy(uid)
	rows, err := t.query("SELECT "+signingCols+" FROM signing_certificates c WHERE c."+cond+" AND c.account = ? AND c.id > ? ORDER BY c.id LIMIT ?",
		append(args, account, k.after[0], k.limit+1)...)
	items, err := collect(t, op, rows, err, scanSigning)
	if err != nil {
		return store.Page[store.SigningCertificate]{}, err
	}
	return page(items, k.limit, tag, func(c store.SigningCertificate) []string { return []string{c.ID} }), nil
}

func (t *tx) CountSigningCertificates(account, user string) (int, error) {
	const op = "count signing certificates"
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return 0, err
	}
	cond, args := ownedBy(uid)
	return t.count(op, "SELECT COUNT(*) FROM signing_certificates WHERE "+cond+" AND account = ?", append(args, account)...)
}

func (t *tx) UpdateSigningCertificateStatus(account, user, id string, status store.AccessKeyStatus) error {
	const op = "update signing certificate"
	if err := t.mustWrite(); err != nil {
		return err
	}
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return err
	}
	return t.setCredentialStatus(op, "signing_certificates", store.KindSigningCertificate, account, uid, id, status)
}

func (t *tx) DeleteSigningCertificate(account, user, id string) error {
	const op = "delete signing certificate"
	if err := t.mustWrite(); err != nil {
		return err
	}
	uid, err := t.keyOwner(op, account, user)
	if err != nil {
		return err
	}
	return t.deleteCredential(op, "signing_certificates", store.KindSigningCertificate, account, uid, id)
}

const sshCols = "k.id, k.account, k.user_id, (SELECT u.name FROM users u WHERE u.id = k.user_id), k.body, k.fingerprint, k.status, k.uploaded"

func scanSSH(s scanner) (store.SSHPublicKey, error) {
	var k store.SSHPublicKey
	var status string
	var uploaded sql.NullInt64
	err := s.Scan(&k.ID, &k.Account, &k.UserID, &k.UserName, &k.Body, &k.Fingerprint, &status, &uploaded)
	k.Status, k.Uploaded = store.AccessKeyStatus(status), fromNanos(uploaded)
	return k, err
}

func (t *tx) UploadSSHPublicKey(k store.SSHPublicKey) error {
	const op = "upload SSH public key"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if k.ID == "" || k.Body == "" || k.Fingerprint == "" || !validStatus(k.Status) {
		return store.Invalid(store.KindSSHPublicKey, "ID, Body, Fingerprint and an Active or Inactive Status must be set")
	}
	if err := checkText(store.KindSSHPublicKey, k.ID, k.Body, k.Fingerprint); err != nil {
		return err
	}
	if err := checkTime(store.KindSSHPublicKey, "Uploaded", k.Uploaded); err != nil {
		return err
	}
	uid, err := t.userID(op, k.Account, k.UserName)
	if err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM ssh_public_keys WHERE id = ?", k.ID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindSSHPublicKey, k.ID)
	}
	if _, err := t.exec("INSERT INTO ssh_public_keys (id, account, user_id, body, fingerprint, status, uploaded) VALUES (?, ?, ?, ?, ?, ?, ?)",
		k.ID, k.Account, uid, k.Body, k.Fingerprint, string(k.Status), nanos(k.Uploaded)); err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindSSHPublicKey, k.ID)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetSSHPublicKey(account, user, id string) (store.SSHPublicKey, error) {
	const op = "get SSH public key"
	uid, err := t.userID(op, account, user)
	if err != nil {
		return store.SSHPublicKey{}, err
	}
	k, err := scanSSH(t.row("SELECT "+sshCols+" FROM ssh_public_keys k WHERE k.id = ? AND k.user_id = ?", id, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return k, store.NotFound(store.KindSSHPublicKey, id)
	}
	if err != nil {
		return k, t.fail(op, err)
	}
	return k, nil
}

func (t *tx) ListSSHPublicKeys(account, user string, opts store.ListOptions) (store.Page[store.SSHPublicKey], error) {
	const op, tag = "list SSH public keys", "ssh"
	k, err := newKeyset(store.KindSSHPublicKey, opts, tag, 1)
	if err != nil {
		return store.Page[store.SSHPublicKey]{}, err
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return store.Page[store.SSHPublicKey]{}, err
	}
	rows, err := t.query("SELECT "+sshCols+" FROM ssh_public_keys k WHERE k.user_id = ? AND k.id > ? ORDER BY k.id LIMIT ?", uid, k.after[0], k.limit+1)
	items, err := collect(t, op, rows, err, scanSSH)
	if err != nil {
		return store.Page[store.SSHPublicKey]{}, err
	}
	return page(items, k.limit, tag, func(v store.SSHPublicKey) []string { return []string{v.ID} }), nil
}

func (t *tx) CountSSHPublicKeys(account, user string) (int, error) {
	const op = "count SSH public keys"
	uid, err := t.userID(op, account, user)
	if err != nil {
		return 0, err
	}
	return t.count(op, "SELECT COUNT(*) FROM ssh_public_keys WHERE user_id = ?", uid)
}

func (t *tx) UpdateSSHPublicKeyStatus(account, user, id string, status store.AccessKeyStatus) error {
	const op = "update SSH public key"
	if err := t.mustWrite(); err != nil {
		return err
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return err
	}
	return t.setCredentialStatus(op, "ssh_public_keys", store.KindSSHPublicKey, account, uid, id, status)
}

func (t *tx) DeleteSSHPublicKey(account, user, id string) error {
	const op = "delete SSH public key"
	if err := t.mustWrite(); err != nil {
		return err
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return err
	}
	return t.deleteCredential(op, "ssh_public_keys", store.KindSSHPublicKey, account, uid, id)
}

const serviceCredCols = `c.id, c.account, c.user_id, (SELECT u.name FROM users u WHERE u.id = c.user_id), c.service_name,
	c.service_user_name, c.alias, c.password, c.status, c.created, c.expiration`

func scanServiceCred(s scanner) (store.ServiceSpecificCredential, error) {
	var c store.ServiceSpecificCredential
	var alias sql.NullString
	var status string
	var created, expiration sql.NullInt64
	err := s.Scan(&c.ID, &c.Account, &c.UserID, &c.UserName, &c.ServiceName, &c.ServiceUserName, &alias, &c.Password, &status, &created, &expiration)
	c.Alias, c.Status, c.Created, c.Expiration = alias.String, store.AccessKeyStatus(status), fromNanos(created), fromNanos(expiration)
	return c, err
}

func (t *tx) CreateServiceSpecificCredential(c store.ServiceSpecificCredential) error {
	const op = "create service-specific credential"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if c.ID == "" || c.ServiceName == "" || c.ServiceUserName == "" || len(c.Password) == 0 || !validStatus(c.Status) {
		return store.Invalid(store.KindServiceSpecificCredential, "ID, ServiceName, ServiceUserName, Password and an Active or Inactive Status must be set")
	}
	if err := checkText(store.KindServiceSpecificCredential, c.ID, c.ServiceName, c.ServiceUserName, c.Alias); err != nil {
		return err
	}
	if err := checkTime(store.KindServiceSpecificCredential, "Created", c.Created); err != nil {
		return err
	}
	uid, err := t.userID(op, c.Account, c.UserName)
	if err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM service_credentials WHERE id = ?", c.ID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindServiceSpecificCredential, c.ID)
	}
	if _, err := t.exec(`INSERT INTO service_credentials (id, account, user_id, service_name, service_user_name, alias, password, status, created, expiration)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Account, uid, c.ServiceName, c.ServiceUserName, nullText(c.Alias), c.Password, string(c.Status),
		nanos(c.Created), nanos(c.Expiration)); err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindServiceSpecificCredential, c.ID)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetServiceSpecificCredential(account, user, id string) (store.ServiceSpecificCredential, error) {
	const op = "get service-specific credential"
	uid, err := t.userID(op, account, user)
	if err != nil {
		return store.ServiceSpecificCredential{}, err
	}
	c, err := scanServiceCred(t.row("SELECT "+serviceCredCols+" FROM service_credentials c WHERE c.id = ? AND c.user_id = ?", id, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.NotFound(store.KindServiceSpecificCredential, id)
	}
	if err != nil {
		return c, t.fail(op, err)
	}
	return c, nil
}

func (t *tx) ListServiceSpecificCredentials(account, user, serviceName string, opts store.ListOptions) (store.Page[store.ServiceSpecificCredential], error) {
	const op, tag = "list service-specific credentials", "service-credentials"
	k, err := newKeyset(store.KindServiceSpecificCredential, opts, tag, 1)
	if err != nil {
		return store.Page[store.ServiceSpecificCredential]{}, err
	}
	where, args := "c.account = ?", []any{account}
	if user != "" {
		uid, err := t.userID(op, account, user)
		if err != nil {
			return store.Page[store.ServiceSpecificCredential]{}, err
		}
		where, args = "c.user_id = ?", []any{uid}
	}
	if serviceName != "" {
		where += " AND c.service_name = ?"
		args = append(args, serviceName)
	}
	rows, err := t.query("SELECT "+serviceCredCols+" FROM service_credentials c WHERE "+where+" AND c.id > ? ORDER BY c.id LIMIT ?",
		append(args, k.after[0], k.limit+1)...)
	items, err := collect(t, op, rows, err, scanServiceCred)
	if err != nil {
		return store.Page[store.ServiceSpecificCredential]{}, err
	}
	return page(items, k.limit, tag, func(c store.ServiceSpecificCredential) []string { return []string{c.ID} }), nil
}

func (t *tx) CountServiceSpecificCredentials(account, user, serviceName string) (int, error) {
	const op = "count service-specific credentials"
	uid, err := t.userID(op, account, user)
	if err != nil {
		return 0, err
	}
	if serviceName == "" {
		return t.count(op, "SELECT COUNT(*) FROM service_credentials WHERE user_id = ?", uid)
	}
	return t.count(op, "SELECT COUNT(*) FROM service_credentials WHERE user_id = ? AND service_name = ?", uid, serviceName)
}

func (t *tx) UpdateServiceSpecificCredentialStatus(account, user, id string, status store.AccessKeyStatus) error {
	const op = "update service-specific credential"
	if err := t.mustWrite(); err != nil {
		return err
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return err
	}
	return t.setCredentialStatus(op, "service_credentials", store.KindServiceSpecificCredential, account, uid, id, status)
}

func (t *tx) ResetServiceSpecificCredential(account, user, id string, password []byte) error {
	const op = "reset service-specific credential"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if len(password) == 0 {
		return store.Invalid(store.KindServiceSpecificCredential, "the password must be set")
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return err
	}
	res, err := t.exec("UPDATE service_credentials SET password = ? WHERE id = ? AND user_id = ?", password, id, uid)
	return t.updatedOne(op, res, err, store.KindServiceSpecificCredential, id)
}

func (t *tx) DeleteServiceSpecificCredential(account, user, id string) error {
	const op = "delete service-specific credential"
	if err := t.mustWrite(); err != nil {
		return err
	}
	uid, err := t.userID(op, account, user)
	if err != nil {
		return err
	}
	return t.deleteCredential(op, "service_credentials", store.KindServiceSpecificCredential, account, uid, id)
}
