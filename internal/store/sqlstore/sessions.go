package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/iamd/iamd/internal/store"
)

const sessionCols = `access_key_id, account, type, secret, token_hash, issued, expires,
	role_id, role_name, role_path, name, user_id, user_name, user_path,
	policy, policy_arns, tags, transitive_tag_keys, source_identity, chained,
	federated_provider, mfa, mfa_time`

func scanSession(s scanner) (store.Session, error) {
	var ss store.Session
	var typ, policyARNs, tags, transitive string
	var roleID, roleName, rolePath, name, userID, userName, userPath, policy, sourceIdentity, provider sql.NullString
	var issued, expires, mfaTime sql.NullInt64
	var chained, mfa int64
	if err := s.Scan(&ss.AccessKeyID, &ss.Account, &typ, &ss.Secret, &ss.TokenHash, &issued, &expires,
		&roleID, &roleName, &rolePath, &name, &userID, &userName, &userPath,
		&policy, &policyARNs, &tags, &transitive, &sourceIdentity, &chained,
		&provider, &mfa, &mfaTime); err != nil {
		return ss, err
	}
	ss.Type = store.SessionType(typ)
	ss.Issued, ss.Expires, ss.MFAAuthTime = fromNanos(issued), fromNanos(expires), fromNanos(mfaTime)
	ss.RoleID, ss.RoleName, ss.RolePath, ss.Name = roleID.String, roleName.String, rolePath.String, name.String
	ss.UserID, ss.UserName, ss.UserPath = userID.String, userName.String, userPath.String
	ss.Policy, ss.SourceIdentity, ss.FederatedProvider = policy.String, sourceIdentity.String, provider.String
	ss.Chained, ss.MFAAuthenticated = chained != 0, mfa != 0
	if err := json.Unmarshal([]byte(policyARNs), &ss.PolicyARNs); err != nil {
		return ss, err
	}
	if err := json.Unmarshal([]byte(tags), &ss.Tags); err != nil {
		return ss, err
	}
	return ss, json.Unmarshal([]byte(transitive), &ss.TransitiveTagKeys)
}

func validSessionType(t store.SessionType) bool {
	switch t {
	case store.SessionAssumedRole, store.SessionFederatedUser, store.SessionToken:
		return true
	}
	return false
}

func (t *tx) CreateSession(s store.Session) error {
	const op = "create session"
	if err := t.mustWrite(); err != nil {
		return err
	}
	if s.AccessKeyID == "" || len(s.Secret) == 0 || len(s.TokenHash) == 0 {
		return store.Invalid(store.KindSession, "AccessKeyID, Secret and TokenHash must be set")
	}
	if !validSessionType(s.Type) {
		return store.Invalid(store.KindSession, "type "+string(s.Type)+" is not a session type")
	}
	text := []string{s.AccessKeyID, s.RoleID, s.RoleName, s.RolePath, s.Name, s.UserID, s.UserName, s.UserPath,
		s.Policy, s.SourceIdentity, s.FederatedProvider}
	text = append(text, s.PolicyARNs...)
	text = append(text, s.TransitiveTagKeys...)
	for _, tag := range s.Tags {
		text = append(text, tag.Key, tag.Value)
	}
	if err := checkText(store.KindSession, text...); err != nil {
		return err
	}
	if err := checkTime(store.KindSession, "Issued", s.Issued); err != nil {
		return err
	}
	if err := checkTime(store.KindSession, "Expires", s.Expires); err != nil {
		return err
	}
	if err := t.accountExists(op, s.Account); err != nil {
		return err
	}
	if ok, err := t.exists(op, "SELECT 1 FROM sessions WHERE access_key_id = ?", s.AccessKeyID); err != nil {
		return err
	} else if ok {
		return store.AlreadyExists(store.KindSession, s.AccessKeyID)
	}
	policyARNs, err := jsonList(s.PolicyARNs)
	if err != nil {
		return t.fail(op, err)
	}
	tags, err := jsonList(s.Tags)
	if err != nil {
		return t.fail(op, err)
	}
	transitive, err := jsonList(s.TransitiveTagKeys)
	if err != nil {
		return t.fail(op, err)
	}
	_, err = t.exec(`INSERT INTO sessions (`+sessionCols+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.AccessKeyID, s.Account, string(s.Type), s.Secret, s.TokenHash, nanos(s.Issued), nanos(s.Expires),
		nullText(s.RoleID), nullText(s.RoleName), nullText(s.RolePath), nullText(s.Name),
		nullText(s.UserID), nullText(s.UserName), nullText(s.UserPath),
		nullText(s.Policy), policyARNs, tags, transitive, nullText(s.SourceIdentity), b2i(s.Chained),
		nullText(s.FederatedProvider), b2i(s.MFAAuthenticated), nanos(s.MFAAuthTime))
	if err != nil {
		if t.class(err) == ClassUnique {
			return store.AlreadyExists(store.KindSession, s.AccessKeyID)
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) GetSession(accessKeyID string) (store.Session, error) {
	s, err := scanSession(t.row("SELECT "+sessionCols+" FROM sessions WHERE access_key_id = ?", accessKeyID))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Session{}, store.NotFound(store.KindSession, accessKeyID)
	}
	if err != nil {
		return store.Session{}, t.fail("get session", err)
	}
	return s, nil
}

func (t *tx) DeleteExpiredSessions(at time.Time) (int, error) {
	const op = "delete expired sessions"
	if err := t.mustWrite(); err != nil {
		return 0, err
	}
	if err := checkTime(store.KindSession, "time", at); err != nil {
		return 0, err
	}
	res, err := t.exec("DELETE FROM sessions WHERE expires <= ?", at.UnixNano())
	if err != nil {
		return 0, t.fail(op, err)
	}
	n, err := t.affected(op, res)
	return int(n), err
}
