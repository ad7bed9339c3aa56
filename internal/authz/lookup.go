package authz

import (
	"context"
	"errors"
	"strings"

	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

// targetInfo is what the store says about the resource of a call: its ARN
// (with the stored path), its tags and, for users and roles, its
// permissions boundary, as read at stamp.
type targetInfo struct {
	stamp    stamp
	arn      string
	tags     []store.Tag
	boundary string
	// credentialService is the service of a service-specific credential
	// the call names (iam:ServiceSpecificCredentialServiceName).
	credentialService string
}

// lookup resolves a call's resource: creations and account-independent
// resources are built from the input; existing entities are read from
// the store (cached by the account's generation), and one that does not
// exist is authorized on the ARN its name gives with the default path and
// no tags, because AWS authorizes before it looks for the entity.
func (a *Authorizer) lookup(ctx context.Context, p *plan, s targetSpec, c *service.Call) (*targetInfo, error) {
	account := c.AccountID
	if s.account != "" {
		account = s.account
	}
	switch {
	case p.create:
		return &targetInfo{arn: a.createdARN(p, s, c)}, nil
	case s.self && c.Caller.Type != service.User:
		// A role session's or root's own "user": AWS authorizes it on
		// the caller's ARN ("iam:GetUser on resource:
		// arn:aws:sts::...:assumed-role/...").
		return &targetInfo{arn: c.Caller.ARN}, nil
	}
	switch p.typ {
	case "access-report", "delegation-request", "federated-user":
		if s.arn != "" {
			return &targetInfo{arn: s.arn}, nil
		}
		return &targetInfo{arn: arnFor(p.service, p.typ, c.Partition, account, "", s.name)}, nil
	case "root-user":
		return &targetInfo{arn: arnFor(p.service, p.typ, c.Partition, account, "", "")}, nil
	}
	credID := s.credID
	key := targetCacheKey{typ: p.typ, partition: c.Partition, account: account, target: targetKey(s), credID: credID}
	st := a.gens.stamp(c.AccountID)
	if account != c.AccountID {
		// Another account's resource (a role to assume): its own
		// generation decides.
		st = a.gens.stamp(account)
	}
	if ti := a.cache.target(key, st); ti != nil {
		return ti, nil
	}
	var ti *targetInfo
	err := a.store.View(ctx, func(tx store.Tx) error {
		var err error
		ti, err = a.readTarget(tx, p, s, c.Partition, account)
		if err != nil || credID == "" {
			return err
		}
		user := s.name
		if s.self {
			user = c.Caller.Name
		}
		cred, err := tx.GetServiceSpecificCredential(account, user, credID)
		if err == nil {
			ti.credentialService = cred.ServiceName
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ti.stamp = st
	a.cache.putTarget(key, ti)
	return ti, nil
}

// targetID identifies a target within its type and account.
type targetID struct{ keyID, arn, name, path string }

// targetKey identifies a target within its type and account: names
// without regard to case, as IAM compares them; ARNs and ids as given.
func targetKey(s targetSpec) targetID {
	switch {
	case s.keyID != "":
		return targetID{keyID: s.keyID}
	case s.arn != "" && s.name == "":
		return targetID{arn: s.arn}
	}
	return targetID{name: store.FoldName(s.name), path: s.path}
}

// createdARN is the ARN of the resource a creation would make.
func (a *Authorizer) createdARN(p *plan, s targetSpec, c *service.Call) string {
	if p.op == "CreateServiceLinkedRole" {
		svc, suffix, _ := strings.Cut(s.arn, "\x00")
		if a.opts.ServiceLinkedRole != nil {
			if name, path, err := a.opts.ServiceLinkedRole(svc, suffix); err == nil {
				return arnFor(p.service, "role", c.Partition, c.AccountID, path, name)
			}
		}
		return arnFor(p.service, "role", c.Partition, c.AccountID, s.path, "")
	}
	return arnFor(p.service, p.typ, c.Partition, c.AccountID, s.path, s.name)
}

// readTarget reads an existing resource from the store.
func (a *Authorizer) readTarget(tx store.Tx, p *plan, s targetSpec, partition, account string) (*targetInfo, error) {
	ti := &targetInfo{}
	tags := func(kind store.Kind, id string) error {
		var err error
		ti.tags, err = listAll(func(o store.ListOptions) (store.Page[store.Tag], error) {
			return tx.ListTags(store.ResourceRef{Account: account, Kind: kind, ID: id}, o)
		})
		return err
	}
	name := s.name
	switch p.typ {
	case "user":
		if s.keyID != "" {
			k, err := tx.GetAccessKey(s.keyID)
			if errors.Is(err, store.ErrNotFound) || err == nil && (k.Account != account || k.UserName == "") {
				// No such key, or root's: the resource is the
				// account's (AWS's message for these is not on
				// record).
				ti.arn = "*"
				return ti, nil
			}
			if err != nil {
				return nil, err
			}
			name = k.UserName
		}
		ti.arn = arnFor(p.service, "user", partition, account, "/", name)
		u, err := tx.GetUser(account, name)
		if errors.Is(err, store.ErrNotFound) {
			return ti, nil
		}
		if err != nil {
			return nil, err
		}
		ti.arn = arnFor(p.service, "user", partition, account, u.Path, u.Name)
		ti.boundary = u.PermissionsBoundary
		return ti, tags(store.KindUser, u.ID)
	case "group":
		ti.arn = arnFor(p.service, "group", partition, account, "/", name)
		g, err := tx.GetGroup(account, name)
		if errors.Is(err, store.ErrNotFound) {
			return ti, nil
		}
		if err != nil {
			return nil, err
		}
		ti.arn = arnFor(p.service, "group", partition, account, g.Path, g.Name)
		return ti, nil
	case "role":
		path := s.path
		if path == "" {
			path = "/"
		}
		ti.arn = arnFor(p.service, "role", partition, account, path, name)
		if s.arn != "" {
			ti.arn = s.arn
		}
		if name == "" {
			return ti, nil
		}
		r, err := tx.GetRole(account, name)
		if errors.Is(err, store.ErrNotFound) {
			return ti, nil
		}
		if err != nil {
			return nil, err
		}
		if s.arn == "" {
			ti.arn = arnFor(p.service, "role", partition, account, r.Path, r.Name)
		}
		ti.boundary = r.PermissionsBoundary
		return ti, tags(store.KindRole, r.ID)
	case "policy":
		ti.arn = s.arn
		if isAWSManaged(s.arn) {
			return ti, nil
		}
		pol, err := tx.GetPolicy(account, s.arn)
		if errors.Is(err, store.ErrNotFound) {
			return ti, nil
		}
		if err != nil {
			return nil, err
		}
		return ti, tags(store.KindPolicy, pol.ID)
	case "instance-profile":
		ti.arn = arnFor(p.service, "instance-profile", partition, account, "/", name)
		ip, err := tx.GetInstanceProfile(account, name)
		if errors.Is(err, store.ErrNotFound) {
			return ti, nil
		}
		if err != nil {
			return nil, err
		}
		ti.arn = arnFor(p.service, "instance-profile", partition, account, ip.Path, ip.Name)
		return ti, tags(store.KindInstanceProfile, ip.ID)
	case "server-certificate":
		ti.arn = arnFor(p.service, "server-certificate", partition, account, "/", name)
		sc, err := tx.GetServerCertificate(account, name)
		if errors.Is(err, store.ErrNotFound) {
			return ti, nil
		}
		if err != nil {
			return nil, err
		}
		ti.arn = arnFor(p.service, "server-certificate", partition, account, sc.Path, sc.Name)
		return ti, tags(store.KindServerCertificate, sc.ID)
	case "mfa":
		ti.arn = s.arn
		if _, err := tx.GetMFADevice(account, s.arn); errors.Is(err, store.ErrNotFound) {
			return ti, nil
		} else if err != nil {
			return nil, err
		}
		return ti, tags(store.KindMFADevice, s.arn)
	case "oidc-provider":
		ti.arn = s.arn
		if _, err := tx.GetOIDCProvider(account, s.arn); errors.Is(err, store.ErrNotFound) {
			return ti, nil
		} else if err != nil {
			return nil, err
		}
		return ti, tags(store.KindOIDCProvider, s.arn)
	case "saml-provider":
		ti.arn = s.arn
		if _, err := tx.GetSAMLProvider(account, s.arn); errors.Is(err, store.ErrNotFound) {
			return ti, nil
		} else if err != nil {
			return nil, err
		}
		return ti, tags(store.KindSAMLProvider, s.arn)
	}
	return nil, errors.New("no lookup for resource type " + p.typ)
}
