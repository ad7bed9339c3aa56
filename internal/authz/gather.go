package authz

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/policy/managed"
)

// stamp is an account's generation when data was read: the global epoch
// (bumped by ChangedAll) and the account's own counter (bumped by
// Changed).
type stamp struct{ epoch, gen uint64 }

// generations counts changes per account. Reading a stamp takes no lock.
type generations struct {
	epoch    atomic.Uint64
	accounts sync.Map // account id → *atomic.Uint64
}

func (g *generations) stamp(account string) stamp {
	s := stamp{epoch: g.epoch.Load()}
	if c, ok := g.accounts.Load(account); ok {
		s.gen = c.(*atomic.Uint64).Load()
	}
	return s
}

func (g *generations) bump(account string) {
	c, ok := g.accounts.Load(account)
	if !ok {
		c, _ = g.accounts.LoadOrStore(account, new(atomic.Uint64))
	}
	c.(*atomic.Uint64).Add(1)
}

func (g *generations) bumpAll() { g.epoch.Add(1) }

// principalPolicies is what a principal's requests are evaluated with:
// its compiled identity-based policies (with their names), its permissions
// boundary and its tags, as read at stamp.
type principalPolicies struct {
	stamp        stamp
	identity     []*policy.Policy
	identityRefs []PolicyRef
	boundary     *policy.Policy
	boundaryRef  PolicyRef
	session      []*policy.Policy
	sessionRefs  []PolicyRef
	tags         []store.Tag
}

// cache holds gathered principals, looked-up targets and compiled
// documents. Each map is bounded: when one is full it is emptied, which
// costs one gathering per principal afterwards and never a wrong answer.
type cache struct {
	max        int // < 0: principals and targets are not cached
	mu         sync.RWMutex
	principals map[principalKey]*principalPolicies
	targets    map[targetCacheKey]*targetInfo
	docMu      sync.RWMutex
	docs       map[string]*policy.Policy
}

func newCache(max int) *cache {
	return &cache{max: max, principals: map[principalKey]*principalPolicies{}, targets: map[targetCacheKey]*targetInfo{}, docs: map[string]*policy.Policy{}}
}

// principalKey identifies a principal in the cache: a user by id, a
// session by access key id.
type principalKey struct{ kind, account, id string }

// targetCacheKey identifies a call's resource in the cache.
type targetCacheKey struct {
	typ, partition, account string
	target                  targetID
	credID                  string
}

func (c *cache) principal(key principalKey, s stamp) *principalPolicies {
	if c.max < 0 {
		return nil
	}
	c.mu.RLock()
	p := c.principals[key]
	c.mu.RUnlock()
	if p == nil || p.stamp != s {
		return nil
	}
	return p
}

func (c *cache) putPrincipal(key principalKey, p *principalPolicies) {
	if c.max < 0 {
		return
	}
	c.mu.Lock()
	if len(c.principals) >= c.max {
		c.principals = map[principalKey]*principalPolicies{}
	}
	c.principals[key] = p
	c.mu.Unlock()
}

func (c *cache) target(key targetCacheKey, s stamp) *targetInfo {
	if c.max < 0 {
		return nil
	}
	c.mu.RLock()
	t := c.targets[key]
	c.mu.RUnlock()
	if t == nil || t.stamp != s {
		return nil
	}
	return t
}

func (c *cache) putTarget(key targetCacheKey, t *targetInfo) {
	if c.max < 0 {
		return
	}
	c.mu.Lock()
	if len(c.targets) >= c.max {
		c.targets = map[targetCacheKey]*targetInfo{}
	}
	c.targets[key] = t
	c.mu.Unlock()
}

// compile parses a stored document once per content and kind: a document
// is immutable, so its compiled form is keyed by the text itself and needs
// no invalidation.
func (c *cache) compile(doc string, kind policy.Kind) (*policy.Policy, error) {
	key := kind.String() + "\x00" + doc
	c.docMu.RLock()
	p := c.docs[key]
	c.docMu.RUnlock()
	if p != nil {
		return p, nil
	}
	p, err := policy.Parse([]byte(doc), kind)
	if err != nil {
		return nil, err
	}
	c.docMu.Lock()
	if len(c.docs) >= abs(c.max) {
		c.docs = map[string]*policy.Policy{}
	}
	c.docs[key] = p
	c.docMu.Unlock()
	return p, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// setRefs names the policies of a PolicySet slot by slot, so that a
// Decision's reasons can say which policy each statement is in.
type setRefs struct {
	identity []PolicyRef
	boundary PolicyRef
	session  []PolicyRef
	resource PolicyRef
}

// ref returns the policy a reason points at.
func (r setRefs) ref(reason policy.Reason) PolicyRef {
	if reason.Statement < 0 || reason.Policy < 0 {
		return PolicyRef{}
	}
	switch reason.Kind {
	case policy.Identity:
		if reason.Policy < len(r.identity) {
			return r.identity[reason.Policy]
		}
	case policy.Boundary:
		return r.boundary
	case policy.Session:
		if reason.Policy < len(r.session) {
			return r.session[reason.Policy]
		}
	case policy.Resource:
		return r.resource
	}
	return PolicyRef{}
}

// noPolicies is the state of a principal without policies of its own.
var noPolicies = &principalPolicies{}

// principalState gathers (or takes from the cache) what the principal's
// requests are evaluated with. The root user and anonymous callers have no
// policies of their own; an emulated caller (emulator mode's stand-in for
// an unknown key) has none either, so it is allowed nothing. A user's
// GetSessionToken credentials carry the user's permissions; a role
// session's are the role's limited by its session policies; a federated
// user's are its parent user's limited by its session policies.
func (a *Authorizer) principalState(ctx context.Context, p service.Principal) (*principalPolicies, error) {
	var key principalKey
	switch p.Type {
	case service.Root, service.Anonymous:
		return noPolicies, nil
	case service.User:
		if p.Emulated || p.UserID == "" {
			return noPolicies, nil
		}
		key = principalKey{"user", p.AccountID, p.UserID}
	case service.AssumedRole, service.FederatedUser:
		if p.Session == nil {
			return nil, errNoSessions
		}
		key = principalKey{"session", p.AccountID, p.AccessKeyID}
	default:
		return nil, errNoSessions
	}
	s := a.gens.stamp(p.AccountID)
	if pp := a.cache.principal(key, s); pp != nil {
		return pp, nil
	}
	var pp *principalPolicies
	err := a.store.View(ctx, func(tx store.Tx) error {
		var err error
		if key.kind == "user" {
			pp, err = a.gatherUser(tx, p.AccountID, p.UserID)
		} else {
			pp, err = a.gatherSession(tx, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	pp.stamp = s
	a.cache.putPrincipal(key, pp)
	return pp, nil
}

// gatherSession reads a role session's or federated user's permissions:
// the role's (if it still is the role the session was made for) or the
// parent user's identity-based policies and boundary, the session
// policies, and the principal tags (the role's tags overlaid with the
// session tags; a federated user's session tags alone).
func (a *Authorizer) gatherSession(tx store.Tx, p service.Principal) (*principalPolicies, error) {
	sess := p.Session
	var pp *principalPolicies
	var err error
	if p.Type == service.AssumedRole {
		pp, err = a.gatherRole(tx, p.AccountID, sess.RoleName, sess.RoleID)
	} else if sess.ParentUserID != "" && sess.ParentName != "" {
		pp, err = a.gatherUser(tx, p.AccountID, sess.ParentUserID)
		if pp != nil {
			pp.tags = nil
		}
	} else {
		pp = &principalPolicies{}
	}
	if err != nil {
		return nil, err
	}
	if sess.Policy != "" {
		sp, err := a.cache.compile(sess.Policy, policy.Session)
		if err != nil {
			return nil, fmt.Errorf("session policy: %w", err)
		}
		pp.session = append(pp.session, sp)
		pp.sessionRefs = append(pp.sessionRefs, PolicyRef{Type: "session", Name: "inline session policy"})
	}
	for _, arn := range sess.PolicyARNs {
		doc, ok, err := managedDocument(tx, p.AccountID, arn)
		if err != nil {
			return nil, err
		}
		sp := allowNothing
		if ok {
			if sp, err = a.cache.compile(doc, policy.Session); err != nil {
				return nil, fmt.Errorf("session policy %s: %w", arn, err)
			}
		}
		pp.session = append(pp.session, sp)
		pp.sessionRefs = append(pp.sessionRefs, PolicyRef{Type: "session", ARN: arn, Name: arn[strings.LastIndexByte(arn, '/')+1:]})
	}
	pp.tags = overlayTags(pp.tags, sess.Tags)
	return pp, nil
}

// overlayTags gives session tags precedence over the role's tags with the
// same key, compared without regard to case, as AWS does for
// aws:PrincipalTag.
func overlayTags(base []store.Tag, session []service.Tag) []store.Tag {
	var out []store.Tag
	for _, t := range base {
		overridden := false
		for _, s := range session {
			overridden = overridden || strings.EqualFold(s.Key, t.Key)
		}
		if !overridden {
			out = append(out, t)
		}
	}
	for _, s := range session {
		out = append(out, store.Tag{Key: s.Key, Value: s.Value})
	}
	return out
}

// gatherUser reads an IAM user's identity-based policies: its inline and
// attached policies, then those of each of its groups, then its
// permissions boundary and its tags. A user that no longer exists has
// none.
func (a *Authorizer) gatherUser(tx store.Tx, account, userID string) (*principalPolicies, error) {
	u, err := tx.GetUserByID(userID)
	if errors.Is(err, store.ErrNotFound) {
		return &principalPolicies{}, nil
	}
	if err != nil {
		return nil, err
	}
	pp := &principalPolicies{}
	if err := a.gatherEntity(tx, account, store.Entity{Kind: store.KindUser, Name: u.Name}, "user/"+u.Name, pp); err != nil {
		return nil, err
	}
	groups, err := listAll(func(o store.ListOptions) (store.Page[store.Group], error) {
		return tx.ListGroupsForUser(account, u.Name, o)
	})
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if err := a.gatherEntity(tx, account, store.Entity{Kind: store.KindGroup, Name: g.Name}, "group/"+g.Name, pp); err != nil {
			return nil, err
		}
	}
	if err := a.gatherBoundary(tx, account, u.PermissionsBoundary, pp); err != nil {
		return nil, err
	}
	pp.tags, err = listAll(func(o store.ListOptions) (store.Page[store.Tag], error) {
		return tx.ListTags(store.ResourceRef{Account: account, Kind: store.KindUser, ID: u.ID}, o)
	})
	if err != nil {
		return nil, err
	}
	return pp, nil
}

// gatherRole reads a role's identity-based policies (inline and attached),
// its boundary and its tags: what a role session's requests start from.
// roleID, when given, must still be the role's id.
func (a *Authorizer) gatherRole(tx store.Tx, account, roleName, roleID string) (*principalPolicies, error) {
	r, err := tx.GetRole(account, roleName)
	if errors.Is(err, store.ErrNotFound) || err == nil && roleID != "" && r.ID != roleID {
		// Deleted, or deleted and made again: a session of the old role
		// has no permissions from the new one.
		return &principalPolicies{}, nil
	}
	if err != nil {
		return nil, err
	}
	pp := &principalPolicies{}
	if err := a.gatherEntity(tx, account, store.Entity{Kind: store.KindRole, Name: r.Name}, "role/"+r.Name, pp); err != nil {
		return nil, err
	}
	if err := a.gatherBoundary(tx, account, r.PermissionsBoundary, pp); err != nil {
		return nil, err
	}
	pp.tags, err = listAll(func(o store.ListOptions) (store.Page[store.Tag], error) {
		return tx.ListTags(store.ResourceRef{Account: account, Kind: store.KindRole, ID: r.ID}, o)
	})
	if err != nil {
		return nil, err
	}
	return pp, nil
}

// gatherEntity adds a user's, group's or role's inline policies and the
// default versions of its attached managed policies.
func (a *Authorizer) gatherEntity(tx store.Tx, account string, e store.Entity, holder string, pp *principalPolicies) error {
	inline, err := listAll(func(o store.ListOptions) (store.Page[store.InlinePolicy], error) {
		return tx.ListInlinePolicies(account, e, o)
	})
	if err != nil {
		return err
	}
	for _, ip := range inline {
		p, err := a.cache.compile(ip.Document, policy.Identity)
		if err != nil {
			return fmt.Errorf("inline policy %s of %s: %w", ip.Name, holder, err)
		}
		pp.identity = append(pp.identity, p)
		pp.identityRefs = append(pp.identityRefs, PolicyRef{Type: "inline", Name: ip.Name, Holder: holder})
	}
	attached, err := listAll(func(o store.ListOptions) (store.Page[store.AttachedPolicy], error) {
		return tx.ListAttachedPolicies(account, e, store.PathListOptions{Marker: o.Marker, MaxItems: o.MaxItems})
	})
	if err != nil {
		return err
	}
	for _, ap := range attached {
		doc, ok, err := managedDocument(tx, account, ap.ARN)
		if err != nil {
			return err
		}
		if !ok {
			// The store refuses to delete an attached policy, so this
			// is an attachment of a policy iamd does not know; it
			// grants nothing.
			continue
		}
		p, err := a.cache.compile(doc, policy.Managed)
		if err != nil {
			return fmt.Errorf("managed policy %s attached to %s: %w", ap.ARN, holder, err)
		}
		pp.identity = append(pp.identity, p)
		pp.identityRefs = append(pp.identityRefs, PolicyRef{Type: "managed", Name: ap.Name, ARN: ap.ARN, Holder: holder})
	}
	return nil
}

// allowNothing is a boundary that allows nothing without denying: the
// stand-in for a boundary (or managed session policy) that was deleted.
var allowNothing = func() *policy.Policy {
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:NoSuchAction","Resource":"*"}]}`), policy.Boundary)
	if err != nil {
		panic(err)
	}
	return p
}()

// gatherBoundary adds the permissions boundary, if the entity has one.
func (a *Authorizer) gatherBoundary(tx store.Tx, account, arn string, pp *principalPolicies) error {
	if arn == "" {
		return nil
	}
	pp.boundaryRef = PolicyRef{Type: "boundary", ARN: arn, Name: arn[strings.LastIndexByte(arn, '/')+1:]}
	doc, ok, err := managedDocument(tx, account, arn)
	if err != nil {
		return err
	}
	if !ok {
		pp.boundary = allowNothing
		return nil
	}
	p, err := a.cache.compile(doc, policy.Boundary)
	if err != nil {
		return fmt.Errorf("permissions boundary %s: %w", arn, err)
	}
	pp.boundary = p
	return nil
}

// managedDocument returns the default version's document of a managed
// policy: an AWS managed policy from package managed, a customer managed
// policy of the account from the store.
func managedDocument(tx store.Tx, account, arn string) (string, bool, error) {
	if isAWSManaged(arn) {
		p, ok := managed.ByARN(arn)
		if !ok {
			return "", false, nil
		}
		return string(p.Document), true, nil
	}
	p, err := tx.GetPolicy(account, arn)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	v, err := tx.GetPolicyVersion(account, arn, p.DefaultVersion)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return v.Document, true, nil
}

// isAWSManaged reports whether a policy ARN is in the "aws" account.
func isAWSManaged(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[4] == "aws"
}

// listAll reads every page of a list.
func listAll[T any](page func(store.ListOptions) (store.Page[T], error)) ([]T, error) {
	var all []T
	o := store.ListOptions{MaxItems: 1000}
	for {
		p, err := page(o)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if !p.Truncated() {
			return all, nil
		}
		o.Marker = p.Marker
	}
}
