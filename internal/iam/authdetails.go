package iam

import (
	"context"
	"sort"
	"strings"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).authorizationDetailsOperations)

func (s *Service) authorizationDetailsOperations(t service.Table) {
	t["GetAccountAuthorizationDetails"] = service.Op(s.getAccountAuthorizationDetails)
}

// authSections are the parts of GetAccountAuthorizationDetails' answer,
// in the order iamd pages through them, each named by the Filter value
// that selects it.
var authSections = []string{
	iamapi.EntityTypeUser,
	iamapi.EntityTypeGroup,
	iamapi.EntityTypeRole,
	iamapi.EntityTypeLocalManagedPolicy,
	iamapi.EntityTypeAWSManagedPolicy,
}

// authDetails gathers one page of the account's authorization details.
type authDetails struct {
	tx   store.Tx
	c    *service.Call
	left int // items the page still takes
	out  *iamapi.GetAccountAuthorizationDetailsResponse
}

// getAccountAuthorizationDetails exports the account's users, groups,
// roles and managed policies with everything that grants them
// permissions: inline policies (documents URL-encoded, as IAM returns
// documents), attached policies, group memberships, boundaries, tags,
// instance profiles, and every version of each customer managed policy.
// AWS managed policies appear when the account uses them (attached, or as
// a permissions boundary), as AWS lists them: the export describes the
// account, not AWS's catalog. MaxItems counts users, groups, roles and
// policies together; the marker says which part the next page resumes in.
func (s *Service) getAccountAuthorizationDetails(ctx context.Context, c *service.Call, in *iamapi.GetAccountAuthorizationDetailsRequest) (*iamapi.GetAccountAuthorizationDetailsResponse, error) {
	want := map[string]bool{}
	for _, f := range in.Filter {
		want[f] = true
	}
	if len(want) == 0 {
		for _, sec := range authSections {
			want[sec] = true
		}
	}
	key, err := decodeMarker("authorization-details", in.Marker)
	if err != nil {
		return nil, err
	}
	section, cursor := 0, ""
	if key != "" {
		name, rest, _ := strings.Cut(key, ":")
		section = -1
		for i, sec := range authSections {
			if sec == name && want[sec] {
				section, cursor = i, rest
			}
		}
		if section < 0 {
			return nil, badMarker()
		}
	}
	var out *iamapi.GetAccountAuthorizationDetailsResponse
	err = s.store.View(ctx, func(tx store.Tx) error {
		out = &iamapi.GetAccountAuthorizationDetailsResponse{
			UserDetailList: []iamapi.UserDetail{}, GroupDetailList: []iamapi.GroupDetail{},
			RoleDetailList: []iamapi.RoleDetail{}, Policies: []iamapi.ManagedPolicyDetail{},
		}
		d := &authDetails{tx: tx, c: c, left: pageSize(in.MaxItems), out: out}
		for i := section; i < len(authSections); i++ {
			if !want[authSections[i]] {
				continue
			}
			if d.left == 0 {
				more, err := d.any(authSections[i])
				if err != nil {
					return err
				}
				if more {
					out.Marker = ptr(encodeMarker("authorization-details", authSections[i]+":"))
					break
				}
				continue
			}
			next, err := d.section(authSections[i], cursor)
			if err != nil {
				return err
			}
			cursor = ""
			if next != "" {
				out.Marker = ptr(encodeMarker("authorization-details", authSections[i]+":"+next))
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	out.IsTruncated = ptr(out.Marker != nil)
	return out, nil
}

// section adds one part's items after the cursor, as many as the page
// takes, and returns the cursor of the next page ("" when the part ends
// within this page).
func (d *authDetails) section(name, cursor string) (string, error) {
	acct := d.c.AccountID
	opts := store.PathListOptions{Marker: cursor, MaxItems: d.left}
	switch name {
	case iamapi.EntityTypeUser:
		p, err := d.tx.ListUsers(acct, opts)
		return takePage(d, p, err, d.user)
	case iamapi.EntityTypeGroup:
		p, err := d.tx.ListGroups(acct, opts)
		return takePage(d, p, err, d.group)
	case iamapi.EntityTypeRole:
		p, err := d.tx.ListRoles(acct, opts)
		return takePage(d, p, err, d.role)
	case iamapi.EntityTypeLocalManagedPolicy:
		p, err := d.tx.ListPolicies(acct, store.PolicyListOptions{Marker: cursor, MaxItems: d.left})
		return takePage(d, p, err, d.localPolicy)
	}
	return d.awsPolicies(cursor)
}

// takePage adds a page of one part's entities to the answer and returns
// the marker of the part's next page.
func takePage[T any](d *authDetails, p store.Page[T], err error, add func(T) error) (string, error) {
	if err != nil {
		return "", err
	}
	for _, it := range p.Items {
		if err := add(it); err != nil {
			return "", err
		}
	}
	d.left -= len(p.Items)
	return p.Marker, nil
}

// any reports whether a part has any item, to tell a full page that ends
// a part from one that ends the answer.
func (d *authDetails) any(name string) (bool, error) {
	acct := d.c.AccountID
	one := store.PathListOptions{MaxItems: 1}
	switch name {
	case iamapi.EntityTypeUser:
		p, err := d.tx.ListUsers(acct, one)
		return len(p.Items) > 0, err
	case iamapi.EntityTypeGroup:
		p, err := d.tx.ListGroups(acct, one)
		return len(p.Items) > 0, err
	case iamapi.EntityTypeRole:
		p, err := d.tx.ListRoles(acct, one)
		return len(p.Items) > 0, err
	case iamapi.EntityTypeLocalManagedPolicy:
		p, err := d.tx.ListPolicies(acct, store.PolicyListOptions{MaxItems: 1})
		return len(p.Items) > 0, err
	}
	for _, p := range awsPolicies() {
		u, err := usageOf(d.tx, acct, managedPolicyARN(d.c.Partition, "aws", p.Path, p.Name))
		if err != nil || u.Attachments > 0 || u.Boundaries > 0 {
			return err == nil, err
		}
	}
	return false, nil
}

// inlineDetails reads an entity's inline policies with their documents.
func (d *authDetails) inlineDetails(e store.Entity) ([]iamapi.PolicyDetail, error) {
	ps, err := everyPage(func(m string) (store.Page[store.InlinePolicy], error) {
		return d.tx.ListInlinePolicies(d.c.AccountID, e, store.ListOptions{Marker: m, MaxItems: 1000})
	})
	out := make([]iamapi.PolicyDetail, 0, len(ps))
	for _, p := range ps {
		out = append(out, iamapi.PolicyDetail{PolicyName: ptr(p.Name), PolicyDocument: ptr(encodePolicyDocument(p.Document))})
	}
	return out, err
}

// attachedDetails reads an entity's attached managed policies.
func (d *authDetails) attachedDetails(e store.Entity) ([]iamapi.AttachedPolicy, error) {
	ps, err := everyPage(func(m string) (store.Page[store.AttachedPolicy], error) {
		return d.tx.ListAttachedPolicies(d.c.AccountID, e, store.PathListOptions{Marker: m, MaxItems: 1000})
	})
	out := make([]iamapi.AttachedPolicy, 0, len(ps))
	for _, p := range ps {
		out = append(out, iamapi.AttachedPolicy{PolicyName: ptr(p.Name), PolicyArn: ptr(p.ARN)})
	}
	return out, err
}

func (d *authDetails) user(u store.User) error {
	e := userEntity(u.Name)
	inline, err := d.inlineDetails(e)
	if err != nil {
		return err
	}
	attached, err := d.attachedDetails(e)
	if err != nil {
		return err
	}
	groups, err := everyPage(func(m string) (store.Page[store.Group], error) {
		return d.tx.ListGroupsForUser(d.c.AccountID, u.Name, store.ListOptions{Marker: m, MaxItems: 1000})
	})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(groups))
	for _, g := range groups {
		names = append(names, g.Name)
	}
	tags, err := allTags(d.tx, store.ResourceRef{Account: u.Account, Kind: store.KindUser, ID: u.ID})
	if err != nil {
		return err
	}
	d.out.UserDetailList = append(d.out.UserDetailList, iamapi.UserDetail{
		Path: ptr(u.Path), UserName: ptr(u.Name), UserId: ptr(u.ID),
		Arn:        ptr(userARN(d.c.Partition, u.Account, u.Path, u.Name)),
		CreateDate: ptr(u.Created), UserPolicyList: inline, GroupList: names,
		AttachedManagedPolicies: attached, PermissionsBoundary: apiBoundary(u.PermissionsBoundary),
		Tags: apiTags(tags),
	})
	return nil
}

func (d *authDetails) group(g store.Group) error {
	e := groupEntity(g.Name)
	inline, err := d.inlineDetails(e)
	if err != nil {
		return err
	}
	attached, err := d.attachedDetails(e)
	if err != nil {
		return err
	}
	d.out.GroupDetailList = append(d.out.GroupDetailList, iamapi.GroupDetail{
		Path: ptr(g.Path), GroupName: ptr(g.Name), GroupId: ptr(g.ID),
		Arn:        ptr(groupARN(d.c.Partition, g.Account, g.Path, g.Name)),
		CreateDate: ptr(g.Created), GroupPolicyList: inline, AttachedManagedPolicies: attached,
	})
	return nil
}

func (d *authDetails) role(r store.Role) error {
	e := roleEntity(r.Name)
	inline, err := d.inlineDetails(e)
	if err != nil {
		return err
	}
	attached, err := d.attachedDetails(e)
	if err != nil {
		return err
	}
	profiles, err := everyPage(func(m string) (store.Page[store.InstanceProfile], error) {
		return d.tx.ListInstanceProfilesForRole(d.c.AccountID, r.Name, store.ListOptions{Marker: m, MaxItems: 1000})
	})
	if err != nil {
		return err
	}
	ips, err := apiInstanceProfiles(d.tx, d.c, profiles)
	if err != nil {
		return err
	}
	tags, err := allTags(d.tx, roleRef(r))
	if err != nil {
		return err
	}
	detail := apiRoleDetail(d.c, r, tags)
	d.out.RoleDetailList = append(d.out.RoleDetailList, iamapi.RoleDetail{
		Path: ptr(r.Path), RoleName: ptr(r.Name), RoleId: ptr(r.ID), Arn: ptr(detail.Arn),
		CreateDate: ptr(r.Created), AssumeRolePolicyDocument: detail.AssumeRolePolicyDocument,
		InstanceProfileList: ips, RolePolicyList: inline, AttachedManagedPolicies: attached,
		PermissionsBoundary: detail.PermissionsBoundary, Tags: detail.Tags, RoleLastUsed: detail.RoleLastUsed,
	})
	return nil
}

// policyDetail renders a managed policy with its versions.
func policyDetail(p managedPolicy, u policyUsage, versions []policyVersion) iamapi.ManagedPolicyDetail {
	out := iamapi.ManagedPolicyDetail{
		PolicyName: ptr(p.Name), PolicyId: ptr(p.ID), Arn: ptr(p.ARN), Path: ptr(p.Path),
		DefaultVersionId: ptr(p.DefaultVersion), AttachmentCount: ptr(int32(u.Attachments)),
		PermissionsBoundaryUsageCount: ptr(int32(u.Boundaries)), IsAttachable: ptr(p.Attachable),
		CreateDate: ptr(p.Created), UpdateDate: ptr(p.Updated),
		PolicyVersionList: make([]iamapi.PolicyVersion, 0, len(versions)),
	}
	if p.Description != "" {
		out.Description = ptr(p.Description)
	}
	for _, v := range versions {
		out.PolicyVersionList = append(out.PolicyVersionList, apiVersion(v, true))
	}
	return out
}

func (d *authDetails) localPolicy(sp store.Policy) error {
	vs, err := everyPage(func(m string) (store.Page[store.PolicyVersion], error) {
		return d.tx.ListPolicyVersions(d.c.AccountID, sp.ARN, store.ListOptions{Marker: m, MaxItems: 1000})
	})
	if err != nil {
		return err
	}
	versions := make([]policyVersion, 0, len(vs))
	for _, v := range vs {
		versions = append(versions, storedVersion(v))
	}
	u := policyUsage{Attachments: sp.AttachmentCount, Boundaries: sp.PermissionsBoundaryUsageCount}
	d.out.Policies = append(d.out.Policies, policyDetail(customerPolicy(sp), u, versions))
	return nil
}

// awsPolicies adds the AWS managed policies the account uses, by name
// after the cursor, and returns the name to resume after when the page
// fills before they end.
func (d *authDetails) awsPolicies(after string) (string, error) {
	all := awsPolicies()
	for i := sort.Search(len(all), func(i int) bool { return all[i].Name > after }); i < len(all); i++ {
		p := awsManagedPolicy(d.c.Partition, all[i])
		u, err := usageOf(d.tx, d.c.AccountID, p.ARN)
		if err != nil {
			return "", err
		}
		if u.Attachments == 0 && u.Boundaries == 0 {
			continue
		}
		if d.left == 0 {
			return *d.out.Policies[len(d.out.Policies)-1].PolicyName, nil
		}
		d.out.Policies = append(d.out.Policies, policyDetail(p, u, []policyVersion{awsDefaultVersion(p)}))
		d.left--
	}
	return "", nil
}
