package e2e_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/policy/managed"
)

// TestAWSManagedPolicies reads the built-in AWS managed policies with
// GetPolicy, GetPolicyVersion, ListPolicyVersions, ListPolicies and
// ListEntitiesForPolicy, and checks that they cannot be found in another
// partition or under a wrong name.
func TestAWSManagedPolicies(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	cx := ctx(t)
	admin := awsPolicy("AdministratorAccess")

	t.Run("GetPolicy", func(t *testing.T) {
		out, err := c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(admin)})
		if err != nil {
			t.Fatal(err)
		}
		p := out.Policy
		want, _ := managed.ByName("AdministratorAccess")
		if aws.ToString(p.PolicyName) != "AdministratorAccess" || aws.ToString(p.Arn) != admin ||
			aws.ToString(p.PolicyId) != want.PolicyID || aws.ToString(p.DefaultVersionId) != want.DefaultVersionID ||
			aws.ToString(p.Path) != "/" || !p.IsAttachable ||
			!aws.ToTime(p.CreateDate).Equal(want.CreateDate) || !aws.ToTime(p.UpdateDate).Equal(want.UpdateDate) {
			t.Errorf("GetPolicy = %+v", p)
		}
		// The first start attached it to the Administrators group.
		if aws.ToInt32(p.AttachmentCount) != 1 || p.PermissionsBoundaryUsageCount == nil || *p.PermissionsBoundaryUsageCount != 0 {
			t.Errorf("AttachmentCount %v, PermissionsBoundaryUsageCount %v; want 1, 0", p.AttachmentCount, p.PermissionsBoundaryUsageCount)
		}
	})

	t.Run("not found", func(t *testing.T) {
		cases := []struct{ name, arn, code, msg string }{
			{"missing", awsPolicy("NoSuchPolicyAnywhere"), "NoSuchEntity", "Policy " + awsPolicy("NoSuchPolicyAnywhere") + " was not found."},
			{"wrong path", awsPolicy("service-role/AdministratorAccess"), "NoSuchEntity", "was not found."},
			{"other partition", "arn:aws-cn:iam::aws:policy/AdministratorAccess", "NoSuchEntity", "was not found."},
			{"customer", "arn:aws:iam::123456789012:policy/nope", "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/nope was not found."},
			{"not a policy ARN", "arn:aws:iam::123456789012:user/alice", "InvalidInput", "ARN arn:aws:iam::123456789012:user/alice is not valid."},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(tc.arn)})
				apiErr(t, err, tc.code, tc.msg)
			})
		}
	})

	t.Run("GetPolicyVersion returns the default version, URL-encoded", func(t *testing.T) {
		for _, name := range []string{"AdministratorAccess", "IAMUserChangePassword", "job-function/ViewOnlyAccess"} {
			base := name[strings.LastIndexByte(name, '/')+1:]
			want, ok := managed.ByName(base)
			if !ok {
				t.Fatalf("no managed policy %s", base)
			}
			out, err := c.GetPolicyVersion(cx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(awsPolicy(name)), VersionId: aws.String(want.DefaultVersionID)})
			if err != nil {
				t.Fatal(err)
			}
			v := out.PolicyVersion
			doc, err := url.QueryUnescape(aws.ToString(v.Document))
			if err != nil || doc != string(want.Document) {
				t.Errorf("%s document %q, %v; want %s", name, doc, err, want.Document)
			}
			if !v.IsDefaultVersion || aws.ToString(v.VersionId) != want.DefaultVersionID || !aws.ToTime(v.CreateDate).Equal(want.UpdateDate) {
				t.Errorf("%s version %+v", name, v)
			}
		}
		_, err := c.GetPolicyVersion(cx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(admin), VersionId: aws.String("v9")})
		apiErr(t, err, "NoSuchEntity", "Policy "+admin+" version v9 does not exist or is not attachable.")
		_, err = c.GetPolicyVersion(cx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(awsPolicy("Nope")), VersionId: aws.String("v1")})
		apiErr(t, err, "NoSuchEntity", "Policy "+awsPolicy("Nope")+" version v1 does not exist or is not attachable.")
		_, err = c.GetPolicyVersion(cx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(admin), VersionId: aws.String("1")})
		apiErr(t, err, "ValidationError", "")
	})

	t.Run("ListPolicyVersions", func(t *testing.T) {
		out, err := c.ListPolicyVersions(cx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(awsPolicy("PowerUserAccess"))})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := managed.ByName("PowerUserAccess")
		if len(out.Versions) != 1 || aws.ToString(out.Versions[0].VersionId) != want.DefaultVersionID ||
			!out.Versions[0].IsDefaultVersion || out.Versions[0].Document != nil || out.IsTruncated {
			t.Errorf("versions %+v", out.Versions)
		}
		_, err = c.ListPolicyVersions(cx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(awsPolicy("Nope"))})
		apiErr(t, err, "NoSuchEntity", "Policy "+awsPolicy("Nope")+" was not found.")
	})

	t.Run("ListPolicies pages through every AWS managed policy", func(t *testing.T) {
		seen := map[string]bool{}
		pages := 0
		start := time.Now()
		pager := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)})
		for pager.HasMorePages() {
			p, err := pager.NextPage(cx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, pol := range p.Policies {
				arn := aws.ToString(pol.Arn)
				if seen[arn] {
					t.Fatalf("%s listed twice", arn)
				}
				seen[arn] = true
				if pol.Tags != nil || pol.Description != nil {
					t.Fatalf("ListPolicies shows tags or a description: %+v", pol)
				}
			}
		}
		t.Logf("listed %d AWS managed policies in %d pages in %v", len(seen), pages, time.Since(start))
		if len(seen) != len(managed.All()) || pages != 2 {
			t.Errorf("listed %d policies in %d pages, want %d in 2", len(seen), pages, len(managed.All()))
		}
		for _, p := range managed.All() {
			if !seen[p.ARN] {
				t.Fatalf("%s not listed", p.ARN)
			}
		}
		// The default page, and Scope All (the AWS policies come first).
		def, err := c.ListPolicies(cx, &iam.ListPoliciesInput{})
		if err != nil || len(def.Policies) != 100 || !def.IsTruncated || def.Marker == nil {
			t.Fatalf("default page: %d policies, truncated %v, %v", len(def.Policies), def.IsTruncated, err)
		}
		local, err := c.ListPolicies(cx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
		if err != nil || len(local.Policies) != 0 || local.IsTruncated {
			t.Errorf("Scope Local: %+v, %v; want no policies", local, err)
		}
	})

	t.Run("ListPolicies filters", func(t *testing.T) {
		jf, err := c.ListPolicies(cx, &iam.ListPoliciesInput{PathPrefix: aws.String("/job-function/")})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range managed.All() {
			if strings.HasPrefix(p.Path, "/job-function/") {
				n++
			}
		}
		if len(jf.Policies) != n || n == 0 {
			t.Errorf("PathPrefix /job-function/: %d policies, want %d", len(jf.Policies), n)
		}
		attached, err := c.ListPolicies(cx, &iam.ListPoliciesInput{OnlyAttached: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(attached.Policies) != 1 || aws.ToString(attached.Policies[0].Arn) != admin || aws.ToInt32(attached.Policies[0].AttachmentCount) != 1 {
			t.Errorf("OnlyAttached: %+v, want AdministratorAccess", attached.Policies)
		}
		if _, err := c.ListPolicies(cx, &iam.ListPoliciesInput{Marker: aws.String("forged")}); err == nil {
			t.Error("a forged marker was accepted")
		} else {
			apiErr(t, err, "InvalidInput", "Invalid value for parameter Marker.")
		}
	})

	t.Run("usage counts and ListEntitiesForPolicy", func(t *testing.T) {
		ro := awsPolicy("ReadOnlyAccess")
		if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("reader"), Path: aws.String("/eng/")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: aws.String(ro)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("readers")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachGroupPolicy(cx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: aws.String(ro)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(ro)}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(ro)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(g.Policy.AttachmentCount) != 2 || aws.ToInt32(g.Policy.PermissionsBoundaryUsageCount) != 1 {
			t.Errorf("AttachmentCount %d, PermissionsBoundaryUsageCount %d; want 2, 1",
				aws.ToInt32(g.Policy.AttachmentCount), aws.ToInt32(g.Policy.PermissionsBoundaryUsageCount))
		}

		names := func(out *iam.ListEntitiesForPolicyOutput) string {
			var s []string
			for _, g := range out.PolicyGroups {
				s = append(s, "group:"+aws.ToString(g.GroupName))
			}
			for _, r := range out.PolicyRoles {
				s = append(s, "role:"+aws.ToString(r.RoleName))
			}
			for _, u := range out.PolicyUsers {
				s = append(s, "user:"+aws.ToString(u.UserName))
			}
			return strings.Join(s, " ")
		}
		cases := []struct {
			name string
			in   iam.ListEntitiesForPolicyInput
			want string
		}{
			{"all uses", iam.ListEntitiesForPolicyInput{}, "group:readers user:reader user:bounded"},
			{"attachments", iam.ListEntitiesForPolicyInput{PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsPolicy}, "group:readers user:reader"},
			{"boundaries", iam.ListEntitiesForPolicyInput{PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary}, "user:bounded"},
			{"users", iam.ListEntitiesForPolicyInput{EntityFilter: iamtypes.EntityTypeUser}, "user:reader user:bounded"},
			{"groups", iam.ListEntitiesForPolicyInput{EntityFilter: iamtypes.EntityTypeGroup}, "group:readers"},
			{"local managed policies", iam.ListEntitiesForPolicyInput{EntityFilter: iamtypes.EntityTypeLocalManagedPolicy}, ""},
			{"path prefix", iam.ListEntitiesForPolicyInput{PathPrefix: aws.String("/eng/")}, "user:reader"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.in
				in.PolicyArn = aws.String(ro)
				out, err := c.ListEntitiesForPolicy(cx, &in)
				if err != nil {
					t.Fatal(err)
				}
				// Users are ordered by id, which is random: compare as sets.
				got, want := strings.Fields(names(out)), strings.Fields(tc.want)
				if len(got) != len(want) || !sameSet(got, want) {
					t.Errorf("entities %q, want %q", names(out), tc.want)
				}
			})
		}

		// One entity per page.
		seen := map[string]bool{}
		var marker *string
		for {
			out, err := c.ListEntitiesForPolicy(cx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(ro), MaxItems: aws.Int32(1), Marker: marker})
			if err != nil {
				t.Fatal(err)
			}
			if n := names(out); n == "" || seen[n] {
				t.Fatalf("page %q repeats or is empty", n)
			} else {
				seen[n] = true
			}
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		if len(seen) != 3 {
			t.Errorf("paged through %d entities, want 3", len(seen))
		}

		_, err = c.ListEntitiesForPolicy(cx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(awsPolicy("Nope"))})
		apiErr(t, err, "NoSuchEntity", "Policy "+awsPolicy("Nope")+" does not exist or is not attachable.")

		attached, err := c.ListPolicies(cx, &iam.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary})
		if err != nil {
			t.Fatal(err)
		}
		if len(attached.Policies) != 1 || aws.ToString(attached.Policies[0].Arn) != ro {
			t.Errorf("OnlyAttached boundaries: %+v, want ReadOnlyAccess", attached.Policies)
		}
	})
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}
