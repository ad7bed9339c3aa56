package iam

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/store"
)

// seedAuthDetails gives the test account one of everything the export
// shows.
func seedAuthDetails(t testing.TB, s *Service, acct string) {
	t.Helper()
	now := newTestTime()
	custARN := "arn:aws:iam::" + acct + ":policy/app/deploy"
	err := s.store.Update(context.Background(), func(tx store.Tx) error {
		for _, err := range []error{
			tx.CreateUser(store.User{Account: acct, ID: "AIDAAAAAAAAAAAAAAAAAA", Name: "alice", Path: "/", Created: now,
				PermissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess"}),
			tx.TagResource(store.ResourceRef{Account: acct, Kind: store.KindUser, ID: "AIDAAAAAAAAAAAAAAAAAA"}, []store.Tag{{Key: "team", Value: "blue"}}),
			tx.PutInlinePolicy(acct, userEntity("alice"), store.InlinePolicy{Name: "own", Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`}),
			tx.AttachPolicy(acct, userEntity("alice"), store.AttachedPolicy{ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", Name: "ReadOnlyAccess", Path: "/"}),
			tx.CreateGroup(store.Group{Account: acct, ID: "AGPAAAAAAAAAAAAAAAAAA", Name: "devs", Path: "/", Created: now}),
			tx.AddUserToGroup(acct, "devs", "alice"),
			tx.CreatePolicy(store.Policy{Account: acct, ID: "ANPAAAAAAAAAAAAAAAAAA", Name: "deploy", Path: "/app/", ARN: custARN, Created: now, Updated: now, DefaultVersion: "v1"},
				`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`),
			tx.AttachPolicy(acct, groupEntity("devs"), store.AttachedPolicy{ARN: custARN, Name: "deploy", Path: "/app/"}),
			tx.CreateRole(store.Role{Account: acct, ID: "AROAAAAAAAAAAAAAAAAAA", Name: "web", Path: "/", Created: now, MaxSessionDuration: 3600,
				AssumeRolePolicy: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`}),
			tx.CreateInstanceProfile(store.InstanceProfile{Account: acct, ID: "AIPAAAAAAAAAAAAAAAAAA", Name: "web", Path: "/", Created: now}),
			tx.AddRoleToInstanceProfile(acct, "web", "web"),
			tx.AttachPolicy(acct, roleEntity("web"), store.AttachedPolicy{ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", Name: "ReadOnlyAccess", Path: "/"}),
		} {
			if err != nil {
				return err
			}
		}
		_, err := tx.CreatePolicyVersion(acct, custARN, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}}`, now, false)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAccountAuthorizationDetails(t *testing.T) {
	t.Parallel()
	s, c := newTestService(t)
	seedAuthDetails(t, s, c.AccountID)
	cx := context.Background()

	all, err := s.getAccountAuthorizationDetails(cx, c, &iamapi.GetAccountAuthorizationDetailsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if *all.IsTruncated || len(all.UserDetailList) != 1 || len(all.GroupDetailList) != 1 || len(all.RoleDetailList) != 1 {
		t.Fatalf("export %+v", all)
	}
	u := all.UserDetailList[0]
	if *u.UserName != "alice" || len(u.GroupList) != 1 || u.GroupList[0] != "devs" || len(u.UserPolicyList) != 1 ||
		len(u.AttachedManagedPolicies) != 1 || u.PermissionsBoundary == nil || len(u.Tags) != 1 {
		t.Errorf("user %+v", u)
	}
	if doc, _ := url.PathUnescape(*u.UserPolicyList[0].PolicyDocument); doc != `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}` {
		t.Errorf("inline document %q", *u.UserPolicyList[0].PolicyDocument)
	}
	r := all.RoleDetailList[0]
	if len(r.InstanceProfileList) != 1 || len(r.InstanceProfileList[0].Roles) != 1 || r.AssumeRolePolicyDocument == nil || r.RoleLastUsed == nil {
		t.Errorf("role %+v", r)
	}
	// The customer policy with both versions, then the AWS managed policies
	// the account uses: ReadOnlyAccess (attached twice) and PowerUserAccess
	// (a boundary).
	var names []string
	for _, p := range all.Policies {
		names = append(names, *p.PolicyName)
	}
	if len(all.Policies) != 3 || names[0] != "deploy" || names[1] != "PowerUserAccess" || names[2] != "ReadOnlyAccess" {
		t.Fatalf("policies %v", names)
	}
	if p := all.Policies[0]; len(p.PolicyVersionList) != 2 || *p.AttachmentCount != 1 {
		t.Errorf("customer policy %+v", p)
	}
	if p := all.Policies[2]; *p.AttachmentCount != 2 || len(p.PolicyVersionList) != 1 || !*p.PolicyVersionList[0].IsDefaultVersion {
		t.Errorf("ReadOnlyAccess %+v", p)
	}
	if p := all.Policies[1]; *p.AttachmentCount != 0 || *p.PermissionsBoundaryUsageCount != 1 {
		t.Errorf("PowerUserAccess %+v", p)
	}

	t.Run("one item a page", func(t *testing.T) {
		var got []string
		in := &iamapi.GetAccountAuthorizationDetailsRequest{MaxItems: ptr(int32(1))}
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			out, err := s.getAccountAuthorizationDetails(cx, c, in)
			if err != nil {
				t.Fatal(err)
			}
			n := len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies)
			if n != 1 {
				t.Fatalf("page %d has %d items", pages, n)
			}
			for _, x := range out.UserDetailList {
				got = append(got, "user:"+*x.UserName)
			}
			for _, x := range out.GroupDetailList {
				got = append(got, "group:"+*x.GroupName)
			}
			for _, x := range out.RoleDetailList {
				got = append(got, "role:"+*x.RoleName)
			}
			for _, x := range out.Policies {
				got = append(got, "policy:"+*x.PolicyName)
			}
			if !*out.IsTruncated {
				break
			}
			in.Marker = out.Marker
		}
		want := []string{"user:alice", "group:devs", "role:web", "policy:deploy", "policy:PowerUserAccess", "policy:ReadOnlyAccess"}
		if len(got) != len(want) {
			t.Fatalf("pages %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("pages %v, want %v", got, want)
			}
		}
	})
	t.Run("filters", func(t *testing.T) {
		out, err := s.getAccountAuthorizationDetails(cx, c, &iamapi.GetAccountAuthorizationDetailsRequest{Filter: []string{"Role", "AWSManagedPolicy"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.UserDetailList) != 0 || len(out.GroupDetailList) != 0 || len(out.RoleDetailList) != 1 || len(out.Policies) != 2 {
			t.Errorf("Role+AWSManagedPolicy: %d users %d groups %d roles %d policies", len(out.UserDetailList), len(out.GroupDetailList), len(out.RoleDetailList), len(out.Policies))
		}
		out, err = s.getAccountAuthorizationDetails(cx, c, &iamapi.GetAccountAuthorizationDetailsRequest{Filter: []string{"LocalManagedPolicy"}})
		if err != nil || len(out.Policies) != 1 || *out.Policies[0].PolicyName != "deploy" {
			t.Errorf("LocalManagedPolicy: %+v, %v", out, err)
		}
	})
	t.Run("bad marker", func(t *testing.T) {
		_, err := s.getAccountAuthorizationDetails(cx, c, &iamapi.GetAccountAuthorizationDetailsRequest{Marker: ptr("nope")})
		if code(err) != "InvalidInput" {
			t.Errorf("got %v", err)
		}
		// A marker for a part the filter leaves out.
		first, _ := s.getAccountAuthorizationDetails(cx, c, &iamapi.GetAccountAuthorizationDetailsRequest{MaxItems: ptr(int32(1))})
		_, err = s.getAccountAuthorizationDetails(cx, c, &iamapi.GetAccountAuthorizationDetailsRequest{Marker: first.Marker, Filter: []string{"User"}})
		if code(err) != "InvalidInput" {
			t.Errorf("marker of another filter: %v", err)
		}
	})
}

// BenchmarkAccountAuthorizationDetails measures a whole export of a small
// account, whose cost is dominated by the scan of the 1,452 AWS managed
// policies for the ones the account uses.
func BenchmarkAccountAuthorizationDetails(b *testing.B) {
	s, c := newTestService(b)
	seedAuthDetails(b, s, c.AccountID)
	for b.Loop() {
		if _, err := s.getAccountAuthorizationDetails(context.Background(), c, &iamapi.GetAccountAuthorizationDetailsRequest{}); err != nil {
			b.Fatal(err)
		}
	}
}

func newTestTime() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) }
