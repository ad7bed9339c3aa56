package e2e_test

import (
	"fmt"
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
		if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("boundedrole"), AssumeRolePolicyDocument: aws.String(lambdaTrust),
			PermissionsBoundary: aws.String(ro), Path: aws.String("/svc/")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("readerrole"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("readerrole"), PolicyArn: aws.String(ro)}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(ro)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(g.Policy.AttachmentCount) != 3 || aws.ToInt32(g.Policy.PermissionsBoundaryUsageCount) != 2 {
			t.Errorf("AttachmentCount %d, PermissionsBoundaryUsageCount %d; want 3, 2",
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
			{"all uses", iam.ListEntitiesForPolicyInput{}, "group:readers user:reader user:bounded role:boundedrole role:readerrole"},
			{"attachments", iam.ListEntitiesForPolicyInput{PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsPolicy}, "group:readers user:reader role:readerrole"},
			{"boundaries", iam.ListEntitiesForPolicyInput{PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary}, "user:bounded role:boundedrole"},
			{"users", iam.ListEntitiesForPolicyInput{EntityFilter: iamtypes.EntityTypeUser}, "user:reader user:bounded"},
			{"groups", iam.ListEntitiesForPolicyInput{EntityFilter: iamtypes.EntityTypeGroup}, "group:readers"},
			{"roles", iam.ListEntitiesForPolicyInput{EntityFilter: iamtypes.EntityTypeRole}, "role:boundedrole role:readerrole"},
			{"role boundaries", iam.ListEntitiesForPolicyInput{EntityFilter: iamtypes.EntityTypeRole, PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary}, "role:boundedrole"},
			{"local managed policies", iam.ListEntitiesForPolicyInput{EntityFilter: iamtypes.EntityTypeLocalManagedPolicy}, ""},
			{"path prefix", iam.ListEntitiesForPolicyInput{PathPrefix: aws.String("/eng/")}, "user:reader"},
			{"role path prefix", iam.ListEntitiesForPolicyInput{PathPrefix: aws.String("/svc/")}, "role:boundedrole"},
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
		if len(seen) != 5 {
			t.Errorf("paged through %d entities, want 5", len(seen))
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

// policyDoc is a small valid managed policy document allowing action.
func policyDoc(action string) string {
	return `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "` + action + `", "Resource": "*"}]}`
}

// TestCustomerManagedPolicies walks customer managed policies, their
// versions and tags through the happy, not-found, conflict and limit paths.
func TestCustomerManagedPolicies(t *testing.T) {
	t.Parallel()
	in := start(t, "", "--emulator")
	c := in.IAM(creds{ID: "testing", Secret: "testing"})
	cx := ctx(t)
	const acct = "123456789012"
	arn := "arn:aws:iam::" + acct + ":policy/team/Deploy"

	before := time.Now().Add(-2 * time.Second)
	cp, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{
		PolicyName: aws.String("Deploy"), Path: aws.String("/team/"), Description: aws.String("deploys things"),
		PolicyDocument: aws.String(policyDoc("s3:GetObject")),
		Tags:           []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("lower")}, {Key: aws.String("A"), Value: aws.String("upper")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := cp.Policy
	if aws.ToString(p.Arn) != arn || !strings.HasPrefix(aws.ToString(p.PolicyId), "ANPA") || len(aws.ToString(p.PolicyId)) != 21 ||
		aws.ToString(p.DefaultVersionId) != "v1" || aws.ToString(p.Path) != "/team/" || !p.IsAttachable ||
		aws.ToInt32(p.AttachmentCount) != 0 || p.PermissionsBoundaryUsageCount == nil || p.Description != nil ||
		len(p.Tags) != 2 || aws.ToTime(p.CreateDate).Before(before) || !aws.ToTime(p.CreateDate).Equal(aws.ToTime(p.UpdateDate)) {
		t.Errorf("CreatePolicy = %+v", p)
	}
	created := aws.ToTime(p.CreateDate)

	t.Run("CreatePolicy refusals", func(t *testing.T) {
		cases := []struct{ name, policyName, doc, code, msg string }{
			{"duplicate name, any case", "DEPLOY", policyDoc("s3:*"), "EntityAlreadyExists", "A policy called DEPLOY already exists. Duplicate names are not allowed."},
			{"no version", "v", `{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`, "MalformedPolicyDocument",
				"Policy document must be version 2012-10-17 or greater."},
			{"syntax", "s", `{"Version": "2012-10-17", "Statement": [`, "MalformedPolicyDocument", "Syntax errors in policy."},
			{"too big", "big", docOfSize(t, 6145), "LimitExceeded", "Cannot exceed quota for PolicySize: 6144"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String(tc.policyName), PolicyDocument: aws.String(tc.doc)})
				apiErr(t, err, tc.code, tc.msg)
			})
		}
		if _, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("atlimit"), PolicyDocument: aws.String(docOfSize(t, 6144))}); err != nil {
			t.Errorf("a document of exactly 6,144 characters: %v", err)
		}
		_, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("dup"), PolicyDocument: aws.String(policyDoc("s3:*")),
			Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}})
		apiErr(t, err, "InvalidInput", "Duplicate tag keys found.")
	})

	t.Run("GetPolicy and ListPolicies", func(t *testing.T) {
		g, err := c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(g.Policy.Description) != "deploys things" || len(g.Policy.Tags) != 2 || aws.ToString(g.Policy.PolicyId) != aws.ToString(p.PolicyId) {
			t.Errorf("GetPolicy = %+v", g.Policy)
		}
		local, err := c.ListPolicies(cx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range local.Policies {
			names = append(names, aws.ToString(p.PolicyName))
		}
		if strings.Join(names, " ") != "atlimit Deploy" {
			t.Errorf("Scope Local: %v", names)
		}
		team, err := c.ListPolicies(cx, &iam.ListPoliciesInput{PathPrefix: aws.String("/team/")})
		if err != nil || len(team.Policies) != 1 || aws.ToString(team.Policies[0].Arn) != arn {
			t.Errorf("PathPrefix /team/: %+v, %v", team, err)
		}
		// Scope All: every AWS managed policy, then the account's own.
		var all []string
		pager := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{MaxItems: aws.Int32(500)})
		for pager.HasMorePages() {
			pg, err := pager.NextPage(cx)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pg.Policies {
				all = append(all, aws.ToString(p.Arn))
			}
		}
		if len(all) != len(managed.All())+2 || all[len(all)-1] != arn {
			t.Errorf("Scope All listed %d policies ending %v, want %d ending %s", len(all), all[len(all)-2:], len(managed.All())+2, arn)
		}
	})

	t.Run("versions", func(t *testing.T) {
		v1, err := c.GetPolicyVersion(cx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
		if err != nil {
			t.Fatal(err)
		}
		if doc, _ := url.QueryUnescape(aws.ToString(v1.PolicyVersion.Document)); doc != policyDoc("s3:GetObject") || !v1.PolicyVersion.IsDefaultVersion {
			t.Errorf("v1 = %+v (document %q)", v1.PolicyVersion, doc)
		}
		time.Sleep(1100 * time.Millisecond) // dates travel with whole seconds
		v2, err := c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(policyDoc("s3:PutObject")), SetAsDefault: true})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(v2.PolicyVersion.VersionId) != "v2" || !v2.PolicyVersion.IsDefaultVersion || v2.PolicyVersion.Document != nil {
			t.Errorf("v2 = %+v", v2.PolicyVersion)
		}
		g, err := c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil || aws.ToString(g.Policy.DefaultVersionId) != "v2" || !aws.ToTime(g.Policy.UpdateDate).After(created) ||
			!aws.ToTime(g.Policy.CreateDate).Equal(created) {
			t.Errorf("after SetAsDefault: %+v, %v", g.Policy, err)
		}
		for i := 3; i <= 5; i++ {
			v, err := c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(policyDoc("s3:List*"))})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(v.PolicyVersion.VersionId) != fmt.Sprintf("v%d", i) || v.PolicyVersion.IsDefaultVersion {
				t.Errorf("version %d = %+v", i, v.PolicyVersion)
			}
		}
		_, err = c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(policyDoc("s3:*"))})
		apiErr(t, err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
		_, err = c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(`{"Statement": []}`)})
		apiErr(t, err, "MalformedPolicyDocument", "")

		lv, err := c.ListPolicyVersions(cx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, v := range lv.Versions {
			id := aws.ToString(v.VersionId)
			if v.IsDefaultVersion {
				id += "*"
			}
			order = append(order, id)
		}
		if strings.Join(order, " ") != "v5 v4 v3 v2* v1" {
			t.Errorf("ListPolicyVersions = %v, want newest first with v2 the default", order)
		}
		page1, err := c.ListPolicyVersions(cx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(2)})
		if err != nil || len(page1.Versions) != 2 || !page1.IsTruncated {
			t.Fatalf("first page of 2: %+v, %v", page1, err)
		}
		page2, err := c.ListPolicyVersions(cx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(10), Marker: page1.Marker})
		if err != nil || len(page2.Versions) != 3 || page2.IsTruncated || aws.ToString(page2.Versions[0].VersionId) != "v3" {
			t.Fatalf("second page: %+v, %v", page2, err)
		}

		_, err = c.DeletePolicyVersion(cx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
		apiErr(t, err, "DeleteConflict", "Cannot delete the default version of a policy.")
		_, err = c.DeletePolicyVersion(cx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
		apiErr(t, err, "NoSuchEntity", "Policy "+arn+" version v9 does not exist or is not attachable.")
		if _, err := c.DeletePolicyVersion(cx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v5")}); err != nil {
			t.Fatal(err)
		}
		v6, err := c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(policyDoc("s3:*"))})
		if err != nil || aws.ToString(v6.PolicyVersion.VersionId) != "v6" {
			t.Errorf("version after deleting v5: %+v, %v; want v6 (ids are never reused)", v6, err)
		}

		if _, err := c.SetDefaultPolicyVersion(cx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.SetDefaultPolicyVersion(cx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v5")})
		apiErr(t, err, "NoSuchEntity", "Policy "+arn+" version v5 does not exist or is not attachable.")
		v3, err := c.GetPolicyVersion(cx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
		if err != nil || !v3.PolicyVersion.IsDefaultVersion {
			t.Errorf("v3 after SetDefaultPolicyVersion: %+v, %v", v3, err)
		}
		_, err = c.GetPolicyVersion(cx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v5")})
		apiErr(t, err, "NoSuchEntity", "Policy "+arn+" version v5 does not exist or is not attachable.")
	})

	t.Run("tags", func(t *testing.T) {
		if _, err := c.TagPolicy(cx, &iam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: []iamtypes.Tag{
			{Key: aws.String("a"), Value: aws.String("replaced")}, {Key: aws.String("team"), Value: aws.String("ops")}}}); err != nil {
			t.Fatal(err)
		}
		lt, err := c.ListPolicyTags(cx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, tg := range lt.Tags {
			got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if fmt.Sprint(got) != "map[A:upper a:replaced team:ops]" {
			t.Errorf("tags %v (policy tag keys are case sensitive)", got)
		}
		p1, err := c.ListPolicyTags(cx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(2)})
		if err != nil || len(p1.Tags) != 2 || !p1.IsTruncated {
			t.Fatalf("first page of tags: %+v, %v", p1, err)
		}
		p2, err := c.ListPolicyTags(cx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn), Marker: p1.Marker})
		if err != nil || len(p2.Tags) != 1 || p2.IsTruncated {
			t.Fatalf("second page of tags: %+v, %v", p2, err)
		}
		var many []iamtypes.Tag
		for i := range 48 {
			many = append(many, iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
		}
		_, err = c.TagPolicy(cx, &iam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: many})
		apiErr(t, err, "LimitExceeded", "Cannot exceed quota for TagsPerPolicy: 50")
		if _, err := c.UntagPolicy(cx, &iam.UntagPolicyInput{PolicyArn: aws.String(arn), TagKeys: []string{"a", "absent"}}); err != nil {
			t.Fatal(err)
		}
		lt, err = c.ListPolicyTags(cx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn)})
		if err != nil || len(lt.Tags) != 2 {
			t.Errorf("after UntagPolicy: %+v, %v", lt, err)
		}
		missing := "arn:aws:iam::" + acct + ":policy/NotAPolicy"
		_, err = c.TagPolicy(cx, &iam.TagPolicyInput{PolicyArn: aws.String(missing), Tags: many[:1]})
		apiErr(t, err, "NoSuchEntity", "Policy "+missing+" was not found.")
		_, err = c.UntagPolicy(cx, &iam.UntagPolicyInput{PolicyArn: aws.String(missing), TagKeys: []string{"k"}})
		apiErr(t, err, "NoSuchEntity", "Policy "+missing+" was not found.")
		_, err = c.ListPolicyTags(cx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(missing)})
		apiErr(t, err, "NoSuchEntity", "Policy "+missing+" was not found.")
		aw, err := c.ListPolicyTags(cx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(awsPolicy("ReadOnlyAccess"))})
		if err != nil || len(aw.Tags) != 0 {
			t.Errorf("an AWS managed policy's tags: %+v, %v", aw, err)
		}
	})

	t.Run("AWS managed policies cannot be changed", func(t *testing.T) {
		ro := aws.String(awsPolicy("ReadOnlyAccess"))
		errs := map[string]error{}
		_, errs["DeletePolicy"] = c.DeletePolicy(cx, &iam.DeletePolicyInput{PolicyArn: ro})
		_, errs["CreatePolicyVersion"] = c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: ro, PolicyDocument: aws.String(policyDoc("s3:*"))})
		_, errs["DeletePolicyVersion"] = c.DeletePolicyVersion(cx, &iam.DeletePolicyVersionInput{PolicyArn: ro, VersionId: aws.String("v1")})
		_, errs["SetDefaultPolicyVersion"] = c.SetDefaultPolicyVersion(cx, &iam.SetDefaultPolicyVersionInput{PolicyArn: ro, VersionId: aws.String("v1")})
		_, errs["TagPolicy"] = c.TagPolicy(cx, &iam.TagPolicyInput{PolicyArn: ro, Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		_, errs["UntagPolicy"] = c.UntagPolicy(cx, &iam.UntagPolicyInput{PolicyArn: ro, TagKeys: []string{"k"}})
		for action, err := range errs {
			t.Run(action, func(t *testing.T) {
				apiErr(t, err, "AccessDenied", "is not authorized to perform: iam:"+action+" on resource: policy "+*ro)
			})
		}
	})

	t.Run("operations on a missing policy", func(t *testing.T) {
		missing := "arn:aws:iam::" + acct + ":policy/gone"
		_, err := c.DeletePolicy(cx, &iam.DeletePolicyInput{PolicyArn: aws.String(missing)})
		apiErr(t, err, "NoSuchEntity", "Policy "+missing+" was not found.")
		_, err = c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(missing), PolicyDocument: aws.String(policyDoc("s3:*"))})
		apiErr(t, err, "NoSuchEntity", "Policy "+missing+" was not found.")
		_, err = c.ListPolicyVersions(cx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(missing)})
		apiErr(t, err, "NoSuchEntity", "Policy "+missing+" was not found.")
		_, err = c.GetPolicyVersion(cx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(missing), VersionId: aws.String("v1")})
		apiErr(t, err, "NoSuchEntity", "Policy "+missing+" version v1 does not exist or is not attachable.")
		_, err = c.DeletePolicyVersion(cx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(missing), VersionId: aws.String("v1")})
		apiErr(t, err, "NoSuchEntity", "Policy "+missing+" version v1 does not exist or is not attachable.")
		_, err = c.SetDefaultPolicyVersion(cx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(missing), VersionId: aws.String("v1")})
		apiErr(t, err, "NoSuchEntity", "Policy "+missing+" version v1 does not exist or is not attachable.")
		_, err = c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/Deploy")})
		apiErr(t, err, "NoSuchEntity", "was not found.") // the path is part of the ARN
	})

	t.Run("DeletePolicy conflicts", func(t *testing.T) {
		if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("deployer")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("deployer"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil || aws.ToInt32(g.Policy.AttachmentCount) != 1 {
			t.Fatalf("AttachmentCount after attaching: %+v, %v", g, err)
		}
		_, err = c.DeletePolicy(cx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
		apiErr(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
		if _, err := c.DetachUserPolicy(cx, &iam.DetachUserPolicyInput{UserName: aws.String("deployer"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutUserPermissionsBoundary(cx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("deployer"), PermissionsBoundary: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
		g, err = c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil || aws.ToInt32(g.Policy.AttachmentCount) != 0 || aws.ToInt32(g.Policy.PermissionsBoundaryUsageCount) != 1 {
			t.Fatalf("counts with the policy as a boundary: %+v, %v", g, err)
		}
		_, err = c.DeletePolicy(cx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
		apiErr(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
		if _, err := c.DeleteUserPermissionsBoundary(cx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("deployer")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeletePolicy(cx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
		apiErr(t, err, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		lv, err := c.ListPolicyVersions(cx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range lv.Versions {
			if !v.IsDefaultVersion {
				if _, err := c.DeletePolicyVersion(cx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: v.VersionId}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := c.DeletePolicy(cx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetPolicy(cx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		apiErr(t, err, "NoSuchEntity", "Policy "+arn+" was not found.")
		// The name is free again.
		if _, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("deploy"), PolicyDocument: aws.String(policyDoc("s3:*"))}); err != nil {
			t.Errorf("re-creating a deleted policy's name: %v", err)
		}
	})
}
