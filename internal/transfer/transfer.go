// Package transfer is `iamd export` and `iamd import`: a whole account in
// one file, so that an account can move between stores (from the embedded
// SQLite default to PostgreSQL, or back) and between installations with
// different master keys.
//
// # What is in the file
//
// Everything GetAccountAuthorizationDetails shows (users, groups, roles
// and customer managed policies with every version, inline policies,
// attachments, memberships, permissions boundaries, tags, instance
// profiles) and every credential and account setting: the root user's
// password hash, access keys (secret, status, last use), login profiles
// (password hash and password history), virtual MFA devices (seed,
// assignment, last accepted time step), signing certificates, SSH public
// keys, service-specific credentials (password), OpenID Connect and SAML
// providers (SAML private keys), server certificates (private key), the
// account alias, the password policy and the STS global endpoint token
// version. The times (creation, last use, password changes) are kept.
//
// Left out, because they are derived or short-lived: temporary
// credentials (STS sessions, which expire within hours; callers get new
// ones), the credential report (GenerateCredentialReport makes a new one),
// role deletion tasks, and AWS managed policies (shared by every account
// and built into iamd; attachments to them are kept). A customer managed
// policy whose newest version was deleted numbers its next version one
// lower after import (v5 deleted, v1–v4 kept: the next is v5, not v6),
// because the store does not expose the counter.
//
// # Secrets
//
// The store keeps secrets sealed under the installation's master key.
// Export opens them and the file carries them in the clear inside its
// encryption; import seals them under the destination's master key. The
// whole document (secrets, password hashes and policies alike) is
// encrypted with AES-256-GCM under a key derived from a passphrase with
// Argon2id (see file.go); only the one-line header (format, key
// derivation parameters, account id, export time) is readable, and it is
// authenticated. So the file needs its passphrase and nothing else: not
// the source's master key, which never leaves the source.
//
// # Consistency
//
// Export reads the account in one View (one snapshot) and import writes
// it in one Update: all of it or nothing. The account must not exist in
// the destination yet.
package transfer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
)

// Document is an account as export writes it and import reads it, before
// encryption. Secrets are in the clear: the Secret, Seed, Key, PrivateKey
// and Password fields hold what the store holds sealed.
type Document struct {
	Account        store.Account
	PasswordPolicy *store.PasswordPolicy `json:",omitempty"`
	Policies       []Policy
	Users          []User
	Groups         []Group
	Roles          []Role
	// InstanceProfiles carry the name of their role, if any.
	InstanceProfiles []InstanceProfile
	MFADevices       []MFADevice
	OIDCProviders    []OIDCProvider
	SAMLProviders    []SAMLProvider
	// ServerCertificates carry their private key in the clear.
	ServerCertificates []ServerCertificate
	// Root is what belongs to the account's root user.
	Root Root
}

// Root holds the root user's credentials (its password hash is in
// Account).
type Root struct {
	AccessKeys          []store.AccessKey
	SigningCertificates []store.SigningCertificate
}

// Policy is a customer managed policy with its versions and tags.
type Policy struct {
	store.Policy
	Versions []store.PolicyVersion
	Tags     []store.Tag
}

// Permissions are an entity's inline and attached policies.
type Permissions struct {
	InlinePolicies   []store.InlinePolicy
	AttachedPolicies []store.AttachedPolicy
}

// User is a user with what it holds.
type User struct {
	store.User
	Permissions
	Tags                       []store.Tag
	Groups                     []string // group names
	AccessKeys                 []store.AccessKey
	LoginProfile               *store.LoginProfile `json:",omitempty"`
	SigningCertificates        []store.SigningCertificate
	SSHPublicKeys              []store.SSHPublicKey
	ServiceSpecificCredentials []store.ServiceSpecificCredential
}

// Group is a group with its policies (members are listed on users).
type Group struct {
	store.Group
	Permissions
}

// Role is a role with its policies and tags.
type Role struct {
	store.Role
	Permissions
	Tags []store.Tag
}

// InstanceProfile is an instance profile with its tags.
type InstanceProfile struct {
	store.InstanceProfile
	Tags []store.Tag
}

// MFADevice is a virtual MFA device with its tags.
type MFADevice struct {
	store.MFADevice
	Tags []store.Tag
}

// OIDCProvider is an OpenID Connect provider with its tags.
type OIDCProvider struct {
	store.OIDCProvider
	Tags []store.Tag
}

// SAMLProvider is a SAML provider with its tags.
type SAMLProvider struct {
	store.SAMLProvider
	Tags []store.Tag
}

// ServerCertificate is a server certificate with its tags.
type ServerCertificate struct {
	store.ServerCertificate
	Tags []store.Tag
}

// ErrNoAccount means the store has no account to export, or several and
// none was named.
var ErrNoAccount = errors.New("transfer: no account to export")

// all reads every page of a list.
func all[T any](list func(marker string) (store.Page[T], error)) ([]T, error) {
	var out []T
	marker := ""
	for {
		p, err := list(marker)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Marker == "" {
			return out, nil
		}
		marker = p.Marker
	}
}

// page is the list options of one page after marker, as large as the
// store allows, so that an export makes few round trips.
func page(marker string) store.ListOptions { return store.ListOptions{Marker: marker, MaxItems: 1000} }

func pathPage(marker string) store.PathListOptions {
	return store.PathListOptions{PathPrefix: "/", Marker: marker, MaxItems: 1000}
}

// ChooseAccount returns the id of the account to export: id itself if it
// is set, else the store's only account.
func ChooseAccount(ctx context.Context, st store.Store, id string) (string, error) {
	if id != "" {
		return id, nil
	}
	var accounts []store.Account
	err := st.View(ctx, func(tx store.Tx) error {
		p, err := tx.ListAccounts(store.ListOptions{MaxItems: 2})
		accounts = p.Items
		return err
	})
	if err != nil {
		return "", err
	}
	switch len(accounts) {
	case 0:
		return "", fmt.Errorf("%w: the store has no account", ErrNoAccount)
	case 1:
		return accounts[0].ID, nil
	}
	return "", fmt.Errorf("%w: the store has several accounts; name one", ErrNoAccount)
}

// Read gathers an account from the store in one snapshot and opens its
// secrets with kr.
func Read(ctx context.Context, st store.Store, kr *seal.Keyring, account string) (*Document, error) {
	var doc *Document
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		doc, err = read(tx, account)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("transfer: reading account %s: %w", account, err)
	}
	if err := doc.openSecrets(kr); err != nil {
		return nil, fmt.Errorf("transfer: account %s: %w", account, err)
	}
	return doc, nil
}

func read(tx store.Tx, account string) (*Document, error) {
	d := &Document{}
	var err error
	if d.Account, err = tx.GetAccount(account); err != nil {
		return nil, err
	}
	switch pp, err := tx.GetPasswordPolicy(account); {
	case err == nil:
		d.PasswordPolicy = &pp
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	tags := func(kind store.Kind, id string) ([]store.Tag, error) {
		return all(func(m string) (store.Page[store.Tag], error) {
			return tx.ListTags(store.ResourceRef{Account: account, Kind: kind, ID: id}, page(m))
		})
	}
	permissions := func(e store.Entity) (Permissions, error) {
		var p Permissions
		var err error
		if p.InlinePolicies, err = all(func(m string) (store.Page[store.InlinePolicy], error) {
			return tx.ListInlinePolicies(account, e, page(m))
		}); err != nil {
			return p, err
		}
		p.AttachedPolicies, err = all(func(m string) (store.Page[store.AttachedPolicy], error) {
			return tx.ListAttachedPolicies(account, e, pathPage(m))
		})
		return p, err
	}

	policies, err := all(func(m string) (store.Page[store.Policy], error) {
		return tx.ListPolicies(account, store.PolicyListOptions{PathPrefix: "/", Marker: m, MaxItems: 1000})
	})
	if err != nil {
		return nil, err
	}
	for _, p := range policies {
		pol := Policy{Policy: p}
		if pol.Versions, err = all(func(m string) (store.Page[store.PolicyVersion], error) {
			return tx.ListPolicyVersions(account, p.ARN, page(m))
		}); err != nil {
			return nil, err
		}
		if pol.Tags, err = tags(store.KindPolicy, p.ID); err != nil {
			return nil, err
		}
		d.Policies = append(d.Policies, pol)
	}

	users, err := all(func(m string) (store.Page[store.User], error) { return tx.ListUsers(account, pathPage(m)) })
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		x := User{User: u}
		if x.Permissions, err = permissions(store.Entity{Kind: store.KindUser, Name: u.Name}); err != nil {
			return nil, err
		}
		if x.Tags, err = tags(store.KindUser, u.ID); err != nil {
			return nil, err
		}
		groups, err := all(func(m string) (store.Page[store.Group], error) { return tx.ListGroupsForUser(account, u.Name, page(m)) })
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			x.Groups = append(x.Groups, g.Name)
		}
		if x.AccessKeys, err = all(func(m string) (store.Page[store.AccessKey], error) {
			return tx.ListAccessKeys(account, u.Name, page(m))
		}); err != nil {
			return nil, err
		}
		switch lp, err := tx.GetLoginProfile(account, u.Name); {
		case err == nil:
			x.LoginProfile = &lp
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
		if x.SigningCertificates, err = all(func(m string) (store.Page[store.SigningCertificate], error) {
			return tx.ListSigningCertificates(account, u.Name, page(m))
		}); err != nil {
			return nil, err
		}
		if x.SSHPublicKeys, err = all(func(m string) (store.Page[store.SSHPublicKey], error) {
			return tx.ListSSHPublicKeys(account, u.Name, page(m))
		}); err != nil {
			return nil, err
		}
		if x.ServiceSpecificCredentials, err = all(func(m string) (store.Page[store.ServiceSpecificCredential], error) {
			return tx.ListServiceSpecificCredentials(account, u.Name, "", page(m))
		}); err != nil {
			return nil, err
		}
		d.Users = append(d.Users, x)
	}

	groups, err := all(func(m string) (store.Page[store.Group], error) { return tx.ListGroups(account, pathPage(m)) })
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		x := Group{Group: g}
		if x.Permissions, err = permissions(store.Entity{Kind: store.KindGroup, Name: g.Name}); err != nil {
			return nil, err
		}
		d.Groups = append(d.Groups, x)
	}

	roles, err := all(func(m string) (store.Page[store.Role], error) { return tx.ListRoles(account, pathPage(m)) })
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		x := Role{Role: r}
		if x.Permissions, err = permissions(store.Entity{Kind: store.KindRole, Name: r.Name}); err != nil {
			return nil, err
		}
		if x.Tags, err = tags(store.KindRole, r.ID); err != nil {
			return nil, err
		}
		d.Roles = append(d.Roles, x)
	}

	profiles, err := all(func(m string) (store.Page[store.InstanceProfile], error) {
		return tx.ListInstanceProfiles(account, pathPage(m))
	})
	if err != nil {
		return nil, err
	}
	for _, p := range profiles {
		x := InstanceProfile{InstanceProfile: p}
		if x.Tags, err = tags(store.KindInstanceProfile, p.ID); err != nil {
			return nil, err
		}
		d.InstanceProfiles = append(d.InstanceProfiles, x)
	}

	devices, err := all(func(m string) (store.Page[store.MFADevice], error) {
		return tx.ListVirtualMFADevices(account, store.AnyAssignment, page(m))
	})
	if err != nil {
		return nil, err
	}
	for _, dev := range devices {
		x := MFADevice{MFADevice: dev}
		if x.Tags, err = tags(store.KindMFADevice, dev.SerialNumber); err != nil {
			return nil, err
		}
		d.MFADevices = append(d.MFADevices, x)
	}

	oidc, err := all(func(m string) (store.Page[store.OIDCProvider], error) { return tx.ListOIDCProviders(account, page(m)) })
	if err != nil {
		return nil, err
	}
	for _, p := range oidc {
		x := OIDCProvider{OIDCProvider: p}
		if x.Tags, err = tags(store.KindOIDCProvider, p.ARN); err != nil {
			return nil, err
		}
		d.OIDCProviders = append(d.OIDCProviders, x)
	}
	saml, err := all(func(m string) (store.Page[store.SAMLProvider], error) { return tx.ListSAMLProviders(account, page(m)) })
	if err != nil {
		return nil, err
	}
	for _, p := range saml {
		x := SAMLProvider{SAMLProvider: p}
		if x.Tags, err = tags(store.KindSAMLProvider, p.ARN); err != nil {
			return nil, err
		}
		d.SAMLProviders = append(d.SAMLProviders, x)
	}

	certs, err := all(func(m string) (store.Page[store.ServerCertificate], error) {
		return tx.ListServerCertificates(account, pathPage(m))
	})
	if err != nil {
		return nil, err
	}
	for _, c := range certs {
		x := ServerCertificate{ServerCertificate: c}
		if x.Tags, err = tags(store.KindServerCertificate, c.ID); err != nil {
			return nil, err
		}
		d.ServerCertificates = append(d.ServerCertificates, x)
	}

	if d.Root.AccessKeys, err = all(func(m string) (store.Page[store.AccessKey], error) {
		return tx.ListAccessKeys(account, "", page(m))
	}); err != nil {
		return nil, err
	}
	if d.Root.SigningCertificates, err = all(func(m string) (store.Page[store.SigningCertificate], error) {
		return tx.ListSigningCertificates(account, "", page(m))
	}); err != nil {
		return nil, err
	}
	return d, nil
}

// secret is one sealed value of a document with the associated data it
// is sealed with in the store (the row's id, as the services seal it).
type secret struct {
	what string
	val  *[]byte
	ad   string
}

// secrets lists the document's secrets.
func (d *Document) secrets() []secret {
	var out []secret
	keys := func(ks []store.AccessKey) {
		for i := range ks {
			out = append(out, secret{"access key " + ks[i].ID, &ks[i].Secret, ks[i].ID})
		}
	}
	keys(d.Root.AccessKeys)
	for i := range d.Users {
		u := &d.Users[i]
		keys(u.AccessKeys)
		for j := range u.ServiceSpecificCredentials {
			c := &u.ServiceSpecificCredentials[j]
			out = append(out, secret{"service-specific credential " + c.ID, &c.Password, c.ID})
		}
	}
	for i := range d.MFADevices {
		m := &d.MFADevices[i]
		out = append(out, secret{"MFA device " + m.SerialNumber, &m.Seed, m.SerialNumber})
	}
	for i := range d.SAMLProviders {
		p := &d.SAMLProviders[i]
		for j := range p.PrivateKeys {
			k := &p.PrivateKeys[j]
			out = append(out, secret{"SAML private key " + k.KeyID, &k.Key, k.KeyID})
		}
	}
	for i := range d.ServerCertificates {
		c := &d.ServerCertificates[i]
		out = append(out, secret{"server certificate " + c.ID, &c.PrivateKey, c.ID})
	}
	return out
}

// openSecrets replaces every sealed secret by its plaintext.
func (d *Document) openSecrets(kr *seal.Keyring) error {
	for _, s := range d.secrets() {
		pt, err := kr.Open(*s.val, []byte(s.ad))
		if err != nil {
			return fmt.Errorf("opening the secret of %s (is this the data directory's master key?): %w", s.what, err)
		}
		*s.val = pt
	}
	return nil
}

// sealed returns a copy of the document whose secrets are sealed by kr,
// ready for the store. The document itself keeps its plaintexts, so that
// a retried Update seals from them again.
func (d *Document) sealed(kr *seal.Keyring) (*Document, error) {
	c, err := d.clone()
	if err != nil {
		return nil, err
	}
	for _, s := range c.secrets() {
		ct, err := kr.Seal(*s.val, []byte(s.ad))
		if err != nil {
			return nil, fmt.Errorf("sealing the secret of %s: %w", s.what, err)
		}
		*s.val = ct
	}
	return c, nil
}

// Write stores the document as a new account: all or nothing, in one
// Update. The account must not exist in the store; its secrets are sealed
// with kr, the destination's master key.
func Write(ctx context.Context, st store.Store, kr *seal.Keyring, d *Document) error {
	if err := d.check(); err != nil {
		return err
	}
	s, err := d.sealed(kr)
	if err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	err = st.Update(ctx, func(tx store.Tx) error { return write(tx, s) })
	if errors.Is(err, store.ErrAlreadyExists) {
		return fmt.Errorf("transfer: importing account %s: %w (import makes a new account and keeps every id: the store must not hold this account, or its entities, already)", d.Account.ID, err)
	}
	if err != nil {
		return fmt.Errorf("transfer: importing account %s: %w", d.Account.ID, err)
	}
	return nil
}

// check refuses a document that cannot be an account.
func (d *Document) check() error {
	if d.Account.ID == "" {
		return errors.New("transfer: the document has no account id")
	}
	if len(d.Account.ID) != 12 || strings.Trim(d.Account.ID, "0123456789") != "" {
		return fmt.Errorf("transfer: account id %q is not 12 digits", d.Account.ID)
	}
	for _, p := range d.Policies {
		if len(p.Versions) == 0 {
			return fmt.Errorf("transfer: policy %s has no versions", p.ARN)
		}
		for _, v := range p.Versions {
			if _, err := versionNumber(v.ID); err != nil {
				return fmt.Errorf("transfer: policy %s: %w", p.ARN, err)
			}
		}
	}
	return nil
}

// versionNumber reads "v3" as 3.
func versionNumber(id string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if !strings.HasPrefix(id, "v") || err != nil || n < 1 {
		return 0, fmt.Errorf("policy version id %q is not v<n>", id)
	}
	return n, nil
}

func write(tx store.Tx, d *Document) error {
	acct := d.Account.ID
	if err := tx.CreateAccount(d.Account); err != nil {
		return err
	}
	if d.Account.GlobalEndpointTokenVersion > 1 {
		if err := tx.SetGlobalEndpointTokenVersion(acct, d.Account.GlobalEndpointTokenVersion); err != nil {
			return err
		}
	}
	if d.PasswordPolicy != nil {
		if err := tx.PutPasswordPolicy(acct, *d.PasswordPolicy); err != nil {
			return err
		}
	}
	tag := func(kind store.Kind, id string, tags []store.Tag) error {
		if len(tags) == 0 {
			return nil
		}
		return tx.TagResource(store.ResourceRef{Account: acct, Kind: kind, ID: id}, tags)
	}
	for _, p := range d.Policies {
		if err := writePolicy(tx, acct, p); err != nil {
			return fmt.Errorf("policy %s: %w", p.ARN, err)
		}
		if err := tag(store.KindPolicy, p.ID, p.Tags); err != nil {
			return err
		}
	}
	permissions := func(e store.Entity, p Permissions) error {
		for _, ip := range p.InlinePolicies {
			if err := tx.PutInlinePolicy(acct, e, ip); err != nil {
				return err
			}
		}
		for _, ap := range p.AttachedPolicies {
			if err := tx.AttachPolicy(acct, e, ap); err != nil {
				return err
			}
		}
		return nil
	}
	for _, u := range d.Users {
		u.User.Account = acct
		if err := tx.CreateUser(u.User); err != nil {
			return err
		}
		if err := tag(store.KindUser, u.ID, u.Tags); err != nil {
			return err
		}
	}
	for _, g := range d.Groups {
		g.Group.Account = acct
		if err := tx.CreateGroup(g.Group); err != nil {
			return err
		}
		if err := permissions(store.Entity{Kind: store.KindGroup, Name: g.Name}, g.Permissions); err != nil {
			return fmt.Errorf("group %s: %w", g.Name, err)
		}
	}
	for _, r := range d.Roles {
		r.Role.Account = acct
		if err := tx.CreateRole(r.Role); err != nil {
			return err
		}
		if err := tag(store.KindRole, r.ID, r.Tags); err != nil {
			return err
		}
		if err := permissions(store.Entity{Kind: store.KindRole, Name: r.Name}, r.Permissions); err != nil {
			return fmt.Errorf("role %s: %w", r.Name, err)
		}
	}
	for _, p := range d.InstanceProfiles {
		prof := p.InstanceProfile
		prof.Account = acct
		prof.RoleName, prof.RoleID = "", ""
		if err := tx.CreateInstanceProfile(prof); err != nil {
			return err
		}
		if p.RoleName != "" {
			if err := tx.AddRoleToInstanceProfile(acct, p.Name, p.RoleName); err != nil {
				return fmt.Errorf("instance profile %s: %w", p.Name, err)
			}
		}
		if err := tag(store.KindInstanceProfile, p.ID, p.Tags); err != nil {
			return err
		}
	}
	for _, u := range d.Users {
		if err := writeUserCredentials(tx, acct, u); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
		if err := permissions(store.Entity{Kind: store.KindUser, Name: u.Name}, u.Permissions); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
		for _, g := range u.Groups {
			if err := tx.AddUserToGroup(acct, g, u.Name); err != nil {
				return fmt.Errorf("user %s: %w", u.Name, err)
			}
		}
	}
	for _, k := range d.Root.AccessKeys {
		k.Account, k.UserName = acct, ""
		if err := tx.CreateAccessKey(k); err != nil {
			return fmt.Errorf("root access key %s: %w", k.ID, err)
		}
	}
	for _, c := range d.Root.SigningCertificates {
		c.Account, c.UserName = acct, ""
		if err := tx.UploadSigningCertificate(c); err != nil {
			return fmt.Errorf("root signing certificate %s: %w", c.ID, err)
		}
	}
	for _, m := range d.MFADevices {
		dev := m.MFADevice
		dev.Account = acct
		if err := tx.CreateVirtualMFADevice(dev); err != nil {
			return err
		}
		if m.Assigned() {
			if err := tx.EnableMFADevice(acct, m.UserName, m.SerialNumber, m.EnableDate); err != nil {
				return fmt.Errorf("MFA device %s: %w", m.SerialNumber, err)
			}
		}
		if m.LastStep > 0 {
			if err := tx.RecordMFAUse(acct, m.SerialNumber, m.LastStep, m.Drift); err != nil {
				return fmt.Errorf("MFA device %s: %w", m.SerialNumber, err)
			}
		}
		if err := tag(store.KindMFADevice, m.SerialNumber, m.Tags); err != nil {
			return err
		}
	}
	for _, p := range d.OIDCProviders {
		prov := p.OIDCProvider
		prov.Account = acct
		if err := tx.CreateOIDCProvider(prov); err != nil {
			return err
		}
		if err := tag(store.KindOIDCProvider, p.ARN, p.Tags); err != nil {
			return err
		}
	}
	for _, p := range d.SAMLProviders {
		prov := p.SAMLProvider
		prov.Account = acct
		if err := tx.CreateSAMLProvider(prov); err != nil {
			return err
		}
		if err := tag(store.KindSAMLProvider, p.ARN, p.Tags); err != nil {
			return err
		}
	}
	for _, c := range d.ServerCertificates {
		cert := c.ServerCertificate
		cert.Account = acct
		if err := tx.UploadServerCertificate(cert); err != nil {
			return err
		}
		if err := tag(store.KindServerCertificate, c.ID, c.Tags); err != nil {
			return err
		}
	}
	return nil
}

// writePolicy recreates a customer managed policy with its version ids:
// the store numbers versions itself, so ids that were deleted in the
// source are created with the default document and deleted again.
func writePolicy(tx store.Tx, acct string, p Policy) error {
	byNumber := map[int]store.PolicyVersion{}
	newest := 0
	var def store.PolicyVersion
	for _, v := range p.Versions {
		n, _ := versionNumber(v.ID)
		byNumber[n] = v
		newest = max(newest, n)
		if v.IsDefault {
			def = v
		}
	}
	if def.ID == "" {
		return errors.New("no default version")
	}
	doc := func(n int) (string, time.Time) {
		if v, ok := byNumber[n]; ok {
			return v.Document, v.Created
		}
		return def.Document, p.Created
	}
	pol := p.Policy
	pol.Account = acct
	pol.DefaultVersion = "v1"
	first, _ := doc(1)
	if err := tx.CreatePolicy(pol, first); err != nil {
		return err
	}
	for n := 2; n <= newest; n++ {
		text, created := doc(n)
		if _, err := tx.CreatePolicyVersion(acct, p.ARN, text, created, false); err != nil {
			return err
		}
	}
	if err := tx.SetDefaultPolicyVersion(acct, p.ARN, def.ID, p.Updated); err != nil {
		return err
	}
	for n := 1; n <= newest; n++ {
		if _, ok := byNumber[n]; !ok {
			if err := tx.DeletePolicyVersion(acct, p.ARN, "v"+strconv.Itoa(n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeUserCredentials recreates a user's keys, password, certificates
// and credentials.
func writeUserCredentials(tx store.Tx, acct string, u User) error {
	for _, k := range u.AccessKeys {
		k.Account, k.UserName = acct, u.Name
		if err := tx.CreateAccessKey(k); err != nil {
			return fmt.Errorf("access key %s: %w", k.ID, err)
		}
	}
	if lp := u.LoginProfile; lp != nil {
		// The store keeps the history itself, pushing the replaced hash
		// on every change: replay the passwords oldest first.
		hashes := append(slices.Clone(lp.PasswordHistory), lp.PasswordHash)
		slices.Reverse(hashes[:len(hashes)-1])
		first := *lp
		first.PasswordHash, first.PasswordHistory = hashes[0], nil
		if err := tx.CreateLoginProfile(acct, u.Name, first); err != nil {
			return fmt.Errorf("login profile: %w", err)
		}
		for i, h := range hashes[1:] {
			changed := lp.Created
			if i == len(hashes)-2 {
				changed = lp.PasswordChanged
			}
			if changed.IsZero() {
				changed = lp.Created
			}
			if err := tx.UpdateLoginProfile(acct, u.Name, store.LoginProfileUpdate{PasswordHash: h, PasswordChanged: changed}); err != nil {
				return fmt.Errorf("login profile: %w", err)
			}
		}
	}
	for _, c := range u.SigningCertificates {
		c.Account, c.UserName = acct, u.Name
		if err := tx.UploadSigningCertificate(c); err != nil {
			return fmt.Errorf("signing certificate %s: %w", c.ID, err)
		}
	}
	for _, k := range u.SSHPublicKeys {
		k.Account, k.UserName = acct, u.Name
		if err := tx.UploadSSHPublicKey(k); err != nil {
			return fmt.Errorf("SSH public key %s: %w", k.ID, err)
		}
	}
	for _, c := range u.ServiceSpecificCredentials {
		c.Account, c.UserName = acct, u.Name
		if err := tx.CreateServiceSpecificCredential(c); err != nil {
			return fmt.Errorf("service-specific credential %s: %w", c.ID, err)
		}
	}
	return nil
}
