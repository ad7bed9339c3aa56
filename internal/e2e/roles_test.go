package e2e_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// ec2Trust is a trust policy letting EC2 assume a role, formatted as people
// write it (whitespace kept: IAM returns the document as it was given).
const ec2Trust = `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}`

// accountTrust lets the account's principals assume a role.
func accountTrust(acct string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
}

// trustOf decodes a role's AssumeRolePolicyDocument, which IAM returns
// percent-encoded (RFC 3986) and aws-sdk-go-v2 passes on as it is.
func trustOf(t *testing.T, r *iamtypes.Role) string {
	t.Helper()
	enc := aws.ToString(r.AssumeRolePolicyDocument)
	if enc == "" {
		t.Fatalf("role %s has no AssumeRolePolicyDocument", aws.ToString(r.RoleName))
	}
	if strings.ContainsAny(enc, "{}\" +*") {
		t.Errorf("AssumeRolePolicyDocument is not percent-encoded as IAM returns it: %q", enc)
	}
	doc, err := url.PathUnescape(enc)
	if err != nil {
		t.Fatalf("AssumeRolePolicyDocument %q: %v", enc, err)
	}
	return doc
}

var roleIDRE = regexp.MustCompile(`^AROA[A-Z2-7]{17}$`)

// TestRoles walks every role operation through its happy, not-found,
// conflict, malformed-document and quota paths.
func TestRoles(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	id, err := in.STS(admin).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	acct := aws.ToString(id.Account)

	before := time.Now().Add(-2 * time.Second)
	cr, err := c.CreateRole(cx, &iam.CreateRoleInput{
		RoleName:                 aws.String("web"),
		Path:                     aws.String("/app/"),
		AssumeRolePolicyDocument: aws.String(ec2Trust),
		Description:              aws.String("web servers"),
		Tags:                     []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := cr.Role
	t.Run("CreateRole answers the role", func(t *testing.T) {
		if got, want := aws.ToString(r.Arn), "arn:aws:iam::"+acct+":role/app/web"; got != want {
			t.Errorf("Arn %q, want %q", got, want)
		}
		if !roleIDRE.MatchString(aws.ToString(r.RoleId)) {
			t.Errorf("RoleId %q", aws.ToString(r.RoleId))
		}
		if r.CreateDate == nil || r.CreateDate.Before(before) || r.CreateDate.After(time.Now().Add(2*time.Second)) {
			t.Errorf("CreateDate %v", r.CreateDate)
		}
		if got := trustOf(t, r); got != ec2Trust {
			t.Errorf("trust policy %q, want it as given %q", got, ec2Trust)
		}
		if aws.ToInt32(r.MaxSessionDuration) != 3600 || aws.ToString(r.Description) != "web servers" || aws.ToString(r.Path) != "/app/" {
			t.Errorf("MaxSessionDuration %v, Description %q, Path %q", aws.ToInt32(r.MaxSessionDuration), aws.ToString(r.Description), aws.ToString(r.Path))
		}
		if fmt.Sprint(tagPairs(r.Tags)) != "[team=blue]" {
			t.Errorf("tags %v", tagPairs(r.Tags))
		}
	})

	t.Run("CreateRole refusals", func(t *testing.T) {
		tests := []struct {
			name      string
			in        iam.CreateRoleInput
			code, msg string
		}{
			{"duplicate in any case", iam.CreateRoleInput{RoleName: aws.String("WEB"), AssumeRolePolicyDocument: aws.String(ec2Trust)},
				"EntityAlreadyExists", "Role with name WEB already exists."},
			{"invalid principal", iam.CreateRoleInput{RoleName: aws.String("r1"),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"notanarn"},"Action":"sts:AssumeRole"}]}`)},
				"MalformedPolicyDocument", `Invalid principal in policy: "AWS":"notanarn"`},
			{"resource in a trust policy", iam.CreateRoleInput{RoleName: aws.String("r1"),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`)},
				"MalformedPolicyDocument", "Has prohibited field Resource"},
			{"no principal", iam.CreateRoleInput{RoleName: aws.String("r1"),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)},
				"MalformedPolicyDocument", "Missing required field Principal"},
			{"not an STS action", iam.CreateRoleInput{RoleName: aws.String("r1"),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`)},
				"MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions."},
			{"not JSON", iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String("trust me")},
				"MalformedPolicyDocument", "This policy contains invalid Json"},
			{"trust policy over the quota", iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(bigTrust(2049))},
				"LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048"},
			{"session duration below 1 hour", iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(ec2Trust), MaxSessionDuration: aws.Int32(3599)},
				"ValidationError", "Member must have value greater than or equal to 3600"},
			{"session duration above 12 hours", iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(ec2Trust), MaxSessionDuration: aws.Int32(43201)},
				"ValidationError", "Member must have value less than or equal to 43200"},
			{"reserved service-linked path", iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(ec2Trust), Path: aws.String("/aws-service-role/ecs.amazonaws.com/")},
				"InvalidInput", "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles"},
			{"boundary that does not exist", iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(ec2Trust),
				PermissionsBoundary: aws.String("arn:aws:iam::" + acct + ":policy/nothing")},
				"NoSuchEntity", "Scope ARN: arn:aws:iam::" + acct + ":policy/nothing does not exist or is not attachable."},
			{"aws: tag", iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(ec2Trust),
				Tags: []iamtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("1")}}},
				"InvalidInput", "reserved for AWS"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := c.CreateRole(cx, &tt.in)
				apiErr(t, err, tt.code, tt.msg)
			})
		}
		// None of the refused calls left a role behind.
		_, err := c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("r1")})
		apiErr(t, err, "NoSuchEntity", "The role with name r1 cannot be found.")
	})

	t.Run("GetRole", func(t *testing.T) {
		g, err := c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("WEB")})
		if err != nil {
			t.Fatal(err)
		}
		gr := g.Role
		if aws.ToString(gr.RoleName) != "web" || aws.ToString(gr.RoleId) != aws.ToString(r.RoleId) || aws.ToString(gr.Arn) != aws.ToString(r.Arn) {
			t.Errorf("GetRole WEB = %s %s %s", aws.ToString(gr.RoleName), aws.ToString(gr.RoleId), aws.ToString(gr.Arn))
		}
		if gr.RoleLastUsed == nil || gr.RoleLastUsed.LastUsedDate != nil || gr.RoleLastUsed.Region != nil {
			t.Errorf("RoleLastUsed of an unused role = %+v, want empty", gr.RoleLastUsed)
		}
		if trustOf(t, gr) != ec2Trust || aws.ToInt32(gr.MaxSessionDuration) != 3600 || aws.ToString(gr.Description) != "web servers" {
			t.Errorf("GetRole = %+v", gr)
		}
		if fmt.Sprint(tagPairs(gr.Tags)) != "[team=blue]" || gr.PermissionsBoundary != nil {
			t.Errorf("tags %v, boundary %+v", tagPairs(gr.Tags), gr.PermissionsBoundary)
		}
		_, err = c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
	})

	t.Run("UpdateRole", func(t *testing.T) {
		if _, err := c.UpdateRole(cx, &iam.UpdateRoleInput{RoleName: aws.String("web"), MaxSessionDuration: aws.Int32(43200)}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(g.Role.MaxSessionDuration) != 43200 || aws.ToString(g.Role.Description) != "web servers" {
			t.Errorf("after UpdateRole(MaxSessionDuration): %d %q", aws.ToInt32(g.Role.MaxSessionDuration), aws.ToString(g.Role.Description))
		}
		if _, err := c.UpdateRole(cx, &iam.UpdateRoleInput{RoleName: aws.String("web"), Description: aws.String("")}); err != nil {
			t.Fatal(err)
		}
		g, err = c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		if g.Role.Description != nil || aws.ToInt32(g.Role.MaxSessionDuration) != 43200 {
			t.Errorf("after clearing the description: %v %d", g.Role.Description, aws.ToInt32(g.Role.MaxSessionDuration))
		}
		_, err = c.UpdateRole(cx, &iam.UpdateRoleInput{RoleName: aws.String("nobody"), Description: aws.String("x")})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
		_, err = c.UpdateRole(cx, &iam.UpdateRoleInput{RoleName: aws.String("web"), MaxSessionDuration: aws.Int32(60)})
		apiErr(t, err, "ValidationError", "maxSessionDuration")
	})

	t.Run("UpdateRoleDescription", func(t *testing.T) {
		u, err := c.UpdateRoleDescription(cx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("web"), Description: aws.String("front end")})
		if err != nil {
			t.Fatal(err)
		}
		if u.Role == nil || aws.ToString(u.Role.Description) != "front end" || aws.ToString(u.Role.RoleId) != aws.ToString(r.RoleId) || trustOf(t, u.Role) != ec2Trust {
			t.Errorf("UpdateRoleDescription answered %+v", u.Role)
		}
		_, err = c.UpdateRoleDescription(cx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("nobody"), Description: aws.String("x")})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
	})

	t.Run("UpdateAssumeRolePolicy", func(t *testing.T) {
		doc := accountTrust(acct)
		if _, err := c.UpdateAssumeRolePolicy(cx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("web"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		if got := trustOf(t, g.Role); got != doc {
			t.Errorf("trust policy after update %q, want %q", got, doc)
		}
		_, err = c.UpdateAssumeRolePolicy(cx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("web"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}]}`)})
		apiErr(t, err, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"bob"`)
		_, err = c.UpdateAssumeRolePolicy(cx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("web"), PolicyDocument: aws.String(bigTrust(3000))})
		apiErr(t, err, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048")
		_, err = c.UpdateAssumeRolePolicy(cx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("nobody"), PolicyDocument: aws.String(doc)})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
		g, _ = c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("web")})
		if got := trustOf(t, g.Role); got != doc {
			t.Errorf("a refused update changed the trust policy to %q", got)
		}
	})

	t.Run("tags", func(t *testing.T) {
		_, err := c.TagRole(cx, &iam.TagRoleInput{RoleName: aws.String("web"), Tags: []iamtypes.Tag{
			{Key: aws.String("TEAM"), Value: aws.String("red")}, {Key: aws.String("cost"), Value: aws.String("42")}}})
		if err != nil {
			t.Fatal(err)
		}
		lt, err := c.ListRoleTags(cx, &iam.ListRoleTagsInput{RoleName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(tagPairs(lt.Tags)); got != "[TEAM=red cost=42]" {
			t.Errorf("tags after TagRole = %s, want [TEAM=red cost=42] (role tag keys fold case)", got)
		}
		_, err = c.TagRole(cx, &iam.TagRoleInput{RoleName: aws.String("web"), Tags: []iamtypes.Tag{
			{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}})
		apiErr(t, err, "InvalidInput", "Duplicate tag keys")
		var many []iamtypes.Tag
		for i := range 49 {
			many = append(many, iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
		}
		_, err = c.TagRole(cx, &iam.TagRoleInput{RoleName: aws.String("web"), Tags: many})
		apiErr(t, err, "LimitExceeded", "Cannot exceed quota for TagsPerRole: 50")
		_, err = c.TagRole(cx, &iam.TagRoleInput{RoleName: aws.String("nobody"), Tags: many[:1]})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
		if _, err := c.UntagRole(cx, &iam.UntagRoleInput{RoleName: aws.String("web"), TagKeys: []string{"Cost", "absent"}}); err != nil {
			t.Fatal(err)
		}
		lt, err = c.ListRoleTags(cx, &iam.ListRoleTagsInput{RoleName: aws.String("web"), MaxItems: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(tagPairs(lt.Tags)) != "[TEAM=red]" || lt.IsTruncated {
			t.Errorf("tags after UntagRole = %v (truncated %v)", tagPairs(lt.Tags), lt.IsTruncated)
		}
		_, err = c.UntagRole(cx, &iam.UntagRoleInput{RoleName: aws.String("nobody"), TagKeys: []string{"a"}})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
		_, err = c.ListRoleTags(cx, &iam.ListRoleTagsInput{RoleName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
	})

	t.Run("permissions boundary", func(t *testing.T) {
		boundary := awsPolicy("PowerUserAccess")
		cb, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("bounded"), AssumeRolePolicyDocument: aws.String(ec2Trust),
			PermissionsBoundary: aws.String(boundary)})
		if err != nil {
			t.Fatal(err)
		}
		if pb := cb.Role.PermissionsBoundary; pb == nil || aws.ToString(pb.PermissionsBoundaryArn) != boundary {
			t.Errorf("CreateRole boundary %+v", pb)
		}
		if _, err := c.PutRolePermissionsBoundary(cx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("web"), PermissionsBoundary: aws.String(awsPolicy("ReadOnlyAccess"))}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		if pb := g.Role.PermissionsBoundary; pb == nil || aws.ToString(pb.PermissionsBoundaryArn) != awsPolicy("ReadOnlyAccess") {
			t.Errorf("GetRole boundary %+v", pb)
		}
		_, err = c.PutRolePermissionsBoundary(cx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("web"), PermissionsBoundary: aws.String(awsPolicy("NoSuchPolicy"))})
		apiErr(t, err, "NoSuchEntity", "Scope ARN: "+awsPolicy("NoSuchPolicy")+" does not exist or is not attachable.")
		_, err = c.PutRolePermissionsBoundary(cx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("web"), PermissionsBoundary: aws.String("arn:aws:iam::" + acct + ":role/web")})
		apiErr(t, err, "InvalidInput", "is not valid.")
		_, err = c.PutRolePermissionsBoundary(cx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("nobody"), PermissionsBoundary: aws.String(boundary)})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
		// A customer managed policy of the account is a boundary too.
		cp, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("edge"), Path: aws.String("/bounds/"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		if want := "arn:aws:iam::" + acct + ":policy/bounds/edge"; aws.ToString(cp.Policy.Arn) != want {
			t.Fatalf("customer policy ARN %q, want %q", aws.ToString(cp.Policy.Arn), want)
		}
		if _, err := c.PutRolePermissionsBoundary(cx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("web"), PermissionsBoundary: cp.Policy.Arn}); err != nil {
			t.Fatal(err)
		}
		g, err = c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		if pb := g.Role.PermissionsBoundary; pb == nil || aws.ToString(pb.PermissionsBoundaryArn) != aws.ToString(cp.Policy.Arn) {
			t.Errorf("GetRole customer boundary %+v", pb)
		}
		if _, err := c.DeleteRolePermissionsBoundary(cx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("web")}); err != nil {
			t.Fatal(err)
		}
		g, err = c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("web")})
		if err != nil || g.Role.PermissionsBoundary != nil {
			t.Errorf("boundary after delete: %+v, %v", g.Role.PermissionsBoundary, err)
		}
		_, err = c.DeleteRolePermissionsBoundary(cx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
		if _, err := c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("bounded")}); err != nil {
			t.Fatalf("a boundary does not block DeleteRole: %v", err)
		}
	})

	t.Run("ListRoles", func(t *testing.T) {
		for i := range 5 {
			if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("batch%d", i)), Path: aws.String("/batch/"),
				AssumeRolePolicyDocument: aws.String(ec2Trust), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		pager := iam.NewListRolesPaginator(c, &iam.ListRolesInput{PathPrefix: aws.String("/batch/"), MaxItems: aws.Int32(2)})
		pages := 0
		for pager.HasMorePages() {
			p, err := pager.NextPage(cx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, lr := range p.Roles {
				seen[aws.ToString(lr.RoleName)] = true
				// ListRoles leaves out tags, the boundary and the last use,
				// as the API reference says.
				if lr.Tags != nil || lr.RoleLastUsed != nil || lr.PermissionsBoundary != nil {
					t.Errorf("ListRoles returned %s with tags %v, last used %+v, boundary %+v", aws.ToString(lr.RoleName), lr.Tags, lr.RoleLastUsed, lr.PermissionsBoundary)
				}
				if trustOf(t, &lr) != ec2Trust || aws.ToInt32(lr.MaxSessionDuration) != 3600 {
					t.Errorf("listed role %+v", lr)
				}
			}
		}
		if len(seen) != 5 || pages != 3 {
			t.Errorf("ListRoles /batch/ saw %d roles in %d pages, want 5 in 3", len(seen), pages)
		}
		all, err := c.ListRoles(cx, &iam.ListRolesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Roles) != 6 || all.IsTruncated {
			t.Errorf("ListRoles: %d roles (truncated %v), want 6", len(all.Roles), all.IsTruncated)
		}
		_, err = c.ListRoles(cx, &iam.ListRolesInput{Marker: aws.String("not-a-marker")})
		apiErr(t, err, "InvalidInput", "")
	})

	t.Run("DeleteRole", func(t *testing.T) {
		if _, err := c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("web"), PolicyArn: aws.String(awsPolicy("ReadOnlyAccess"))}); err != nil {
			t.Fatal(err)
		}
		_, err := c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
		apiErr(t, err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
		if _, err := c.DetachRolePolicy(cx, &iam.DetachRolePolicyInput{RoleName: aws.String("web"), PolicyArn: aws.String(awsPolicy("ReadOnlyAccess"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutRolePolicy(cx, &iam.PutRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("inline"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
		apiErr(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
		if _, err := c.DeleteRolePolicy(cx, &iam.DeleteRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("inline")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-profile")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
		apiErr(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
		if _, err := c.RemoveRoleFromInstanceProfile(cx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("WEB")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("web")})
		apiErr(t, err, "NoSuchEntity", "The role with name web cannot be found.")
		_, err = c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
		apiErr(t, err, "NoSuchEntity", "The role with name web cannot be found.")
		// The name is free again, and the new role is another role.
		cr2, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(cr2.Role.RoleId) == aws.ToString(r.RoleId) {
			t.Error("a re-created role has its predecessor's id")
		}
		lt, err := c.ListRoleTags(cx, &iam.ListRoleTagsInput{RoleName: aws.String("web")})
		if err != nil || len(lt.Tags) != 0 {
			t.Errorf("re-created role inherited tags %v (%v)", tagPairs(lt.Tags), err)
		}
	})
}

// bigTrust returns a valid trust policy of more than n characters, padded
// with an ExternalId condition.
func bigTrust(n int) string {
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"`
	tail := `"}}}]}`
	return head + strings.Repeat("x", max(1, n-len(head)-len(tail))) + tail
}

// TestRoleQuota fills an account's quota of 1,000 roles.
func TestRoleQuota(t *testing.T) {
	t.Parallel()
	in := start(t, "", "--emulator")
	c := in.IAM(creds{ID: "testing", Secret: "testing"})
	cx := ctx(t)
	for i := range 1000 {
		if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("r%04d", i)), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
			t.Fatalf("role %d: %v", i, err)
		}
	}
	_, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("one-more"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	apiErr(t, err, "LimitExceeded", "Cannot exceed quota for RolesPerAccount: 1000")
	if _, err := c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("r0000")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("one-more"), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
		t.Fatalf("a freed slot is usable: %v", err)
	}
}

// TestServiceLinkedRoles creates, protects and deletes service-linked roles.
func TestServiceLinkedRoles(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	id, err := in.STS(admin).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	acct := aws.ToString(id.Account)

	out, err := c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), Description: aws.String("scaling")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	t.Run("the role", func(t *testing.T) {
		if got, want := aws.ToString(r.Arn), "arn:aws:iam::"+acct+":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"; got != want {
			t.Errorf("Arn %q, want %q", got, want)
		}
		if aws.ToString(r.RoleName) != "AWSServiceRoleForAutoScaling" || aws.ToString(r.Path) != "/aws-service-role/autoscaling.amazonaws.com/" ||
			!roleIDRE.MatchString(aws.ToString(r.RoleId)) || aws.ToString(r.Description) != "scaling" {
			t.Errorf("role %+v", r)
		}
		want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"autoscaling.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
		if got := trustOf(t, r); got != want {
			t.Errorf("trust policy %s, want %s", got, want)
		}
		ap, err := c.ListAttachedRolePolicies(cx, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(attachedARNs(ap.AttachedPolicies)); got != "["+awsPolicy("aws-service-role/AutoScalingServiceRolePolicy")+"]" {
			t.Errorf("attached policies %s", got)
		}
		lr, err := c.ListRoles(cx, &iam.ListRolesInput{PathPrefix: aws.String("/aws-service-role/autoscaling.amazonaws.com/")})
		if err != nil || len(lr.Roles) != 1 {
			t.Errorf("ListRoles by the service's path: %+v, %v", lr, err)
		}
	})

	t.Run("CreateServiceLinkedRole refusals", func(t *testing.T) {
		_, err := c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")})
		apiErr(t, err, "InvalidInput", "Service role name AWSServiceRoleForAutoScaling has been taken in this account, please try a different suffix.")
		_, err = c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling")})
		apiErr(t, err, "InvalidInput", "autoscaling")
	})

	t.Run("custom suffix", func(t *testing.T) {
		s, err := c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("fleet")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(s.Role.RoleName) != "AWSServiceRoleForAutoScaling_fleet" {
			t.Errorf("role name %q", aws.ToString(s.Role.RoleName))
		}
	})

	t.Run("protected from ordinary changes", func(t *testing.T) {
		msg := "Cannot perform the operation on the protected role 'AWSServiceRoleForAutoScaling' - this role is only modifiable by AWS"
		_, err := c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: r.RoleName})
		apiErr(t, err, "UnmodifiableEntity", msg)
		_, err = c.UpdateAssumeRolePolicy(cx, &iam.UpdateAssumeRolePolicyInput{RoleName: r.RoleName, PolicyDocument: aws.String(ec2Trust)})
		apiErr(t, err, "UnmodifiableEntity", msg)
		_, err = c.PutRolePermissionsBoundary(cx, &iam.PutRolePermissionsBoundaryInput{RoleName: r.RoleName, PermissionsBoundary: aws.String(awsPolicy("ReadOnlyAccess"))})
		apiErr(t, err, "UnmodifiableEntity", msg)
		_, err = c.UpdateRole(cx, &iam.UpdateRoleInput{RoleName: r.RoleName, MaxSessionDuration: aws.Int32(7200)})
		apiErr(t, err, "UnmodifiableEntity", msg)
		// Its description is the customer's to edit.
		u, err := c.UpdateRoleDescription(cx, &iam.UpdateRoleDescriptionInput{RoleName: r.RoleName, Description: aws.String("scaling, edited")})
		if err != nil || aws.ToString(u.Role.Description) != "scaling, edited" {
			t.Errorf("UpdateRoleDescription of a service-linked role: %+v, %v", u, err)
		}
	})

	t.Run("DeleteServiceLinkedRole", func(t *testing.T) {
		d, err := c.DeleteServiceLinkedRole(cx, &iam.DeleteServiceLinkedRoleInput{RoleName: r.RoleName})
		if err != nil {
			t.Fatal(err)
		}
		task := aws.ToString(d.DeletionTaskId)
		if !regexp.MustCompile(`^task/aws-service-role/autoscaling\.amazonaws\.com/AWSServiceRoleForAutoScaling/[0-9a-f-]{36}$`).MatchString(task) {
			t.Errorf("DeletionTaskId %q", task)
		}
		st, err := c.GetServiceLinkedRoleDeletionStatus(cx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(task)})
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != iamtypes.DeletionTaskStatusTypeSucceeded || st.Reason != nil {
			t.Errorf("deletion status %s, reason %+v", st.Status, st.Reason)
		}
		_, err = c.GetRole(cx, &iam.GetRoleInput{RoleName: r.RoleName})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.GetServiceLinkedRoleDeletionStatus(cx, &iam.GetServiceLinkedRoleDeletionStatusInput{
			DeletionTaskId: aws.String("task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling/00000000-0000-4000-8000-000000000000")})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.GetServiceLinkedRoleDeletionStatus(cx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("not a task")})
		apiErr(t, err, "InvalidInput", "")
		_, err = c.DeleteServiceLinkedRole(cx, &iam.DeleteServiceLinkedRoleInput{RoleName: r.RoleName})
		apiErr(t, err, "NoSuchEntity", "The role with name AWSServiceRoleForAutoScaling cannot be found.")
		// An ordinary role is not deleted this way.
		if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("plain"), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteServiceLinkedRole(cx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("plain")})
		apiErr(t, err, "NoSuchEntity", "plain")
		// The name is free again.
		if _, err := c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")}); err != nil {
			t.Fatal(err)
		}
	})
}
