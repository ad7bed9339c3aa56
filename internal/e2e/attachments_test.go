package e2e_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// awsPolicy is the ARN of an AWS managed policy in the aws partition.
func awsPolicy(pathName string) string { return "arn:aws:iam::aws:policy/" + pathName }

// tenAWSPolicies are attachable AWS managed policies, enough to reach the
// quota of 10 per entity.
var tenAWSPolicies = []string{
	"ReadOnlyAccess", "IAMReadOnlyAccess", "AmazonS3ReadOnlyAccess", "AmazonEC2ReadOnlyAccess",
	"AmazonSQSReadOnlyAccess", "AmazonSNSReadOnlyAccess", "AWSLambda_ReadOnlyAccess",
	"AmazonDynamoDBReadOnlyAccess", "CloudWatchReadOnlyAccess", "AmazonRDSReadOnlyAccess",
}

func attachedARNs(ps []iamtypes.AttachedPolicy) []string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.PolicyArn))
	}
	return out
}

// TestAttachUserAndGroupPolicies attaches AWS managed policies to users and
// groups through their happy, not-found, conflict and quota paths.
func TestAttachUserAndGroupPolicies(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	cx := ctx(t)

	t.Run("first start attaches AdministratorAccess to Administrators", func(t *testing.T) {
		out, err := c.ListAttachedGroupPolicies(cx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("Administrators")})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(attachedARNs(out.AttachedPolicies)); got != "["+awsPolicy("AdministratorAccess")+"]" {
			t.Errorf("Administrators' policies = %s", got)
		}
	})

	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}

	type op struct {
		name   string
		attach func(arn string) error
		detach func(arn string) error
		list   func(prefix string, max int32, marker *string) ([]iamtypes.AttachedPolicy, *string, error)
		quota  string
		del    func() error
	}
	user := op{
		name: "user",
		attach: func(arn string) error {
			_, err := c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)})
			return err
		},
		detach: func(arn string) error {
			_, err := c.DetachUserPolicy(cx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)})
			return err
		},
		list: func(prefix string, max int32, marker *string) ([]iamtypes.AttachedPolicy, *string, error) {
			in := &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice"), MaxItems: aws.Int32(max), Marker: marker}
			if prefix != "" {
				in.PathPrefix = aws.String(prefix)
			}
			out, err := c.ListAttachedUserPolicies(cx, in)
			if err != nil {
				return nil, nil, err
			}
			return out.AttachedPolicies, out.Marker, nil
		},
		quota: "Cannot exceed quota for PoliciesPerUser: 10",
		del: func() error {
			_, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("alice")})
			return err
		},
	}
	group := op{
		name: "group",
		attach: func(arn string) error {
			_, err := c.AttachGroupPolicy(cx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(arn)})
			return err
		},
		detach: func(arn string) error {
			_, err := c.DetachGroupPolicy(cx, &iam.DetachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(arn)})
			return err
		},
		list: func(prefix string, max int32, marker *string) ([]iamtypes.AttachedPolicy, *string, error) {
			in := &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs"), MaxItems: aws.Int32(max), Marker: marker}
			if prefix != "" {
				in.PathPrefix = aws.String(prefix)
			}
			out, err := c.ListAttachedGroupPolicies(cx, in)
			if err != nil {
				return nil, nil, err
			}
			return out.AttachedPolicies, out.Marker, nil
		},
		quota: "Cannot exceed quota for PoliciesPerGroup: 10",
		del: func() error {
			_, err := c.DeleteGroup(cx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
			return err
		},
	}

	role := op{
		name: "role",
		attach: func(arn string) error {
			_, err := c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(arn)})
			return err
		},
		detach: func(arn string) error {
			_, err := c.DetachRolePolicy(cx, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(arn)})
			return err
		},
		list: func(prefix string, max int32, marker *string) ([]iamtypes.AttachedPolicy, *string, error) {
			in := &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app"), MaxItems: aws.Int32(max), Marker: marker}
			if prefix != "" {
				in.PathPrefix = aws.String(prefix)
			}
			out, err := c.ListAttachedRolePolicies(cx, in)
			if err != nil {
				return nil, nil, err
			}
			return out.AttachedPolicies, out.Marker, nil
		},
		quota: "Cannot exceed quota for PoliciesPerRole: 10",
		del: func() error {
			_, err := c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
			return err
		},
	}

	for _, e := range []op{user, group, role} {
		t.Run(e.name, func(t *testing.T) {
			ro := awsPolicy("ReadOnlyAccess")
			for range 2 { // attaching again is not an error
				if err := e.attach(ro); err != nil {
					t.Fatal(err)
				}
			}
			got, _, err := e.list("", 100, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || aws.ToString(got[0].PolicyName) != "ReadOnlyAccess" || aws.ToString(got[0].PolicyArn) != ro {
				t.Errorf("attached %+v, want ReadOnlyAccess once", got)
			}

			view := awsPolicy("job-function/ViewOnlyAccess")
			if err := e.attach(view); err != nil {
				t.Fatal(err)
			}
			got, _, err = e.list("/job-function/", 100, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(attachedARNs(got)) != "["+view+"]" {
				t.Errorf("PathPrefix /job-function/: %v", attachedARNs(got))
			}

			cases := []struct {
				name, arn, code, msg string
			}{
				{"missing AWS policy", awsPolicy("NoSuchPolicyAnywhere"), "NoSuchEntity",
					"Policy arn:aws:iam::aws:policy/NoSuchPolicyAnywhere does not exist or is not attachable."},
				{"not attachable", awsPolicy("service-role/AWSConfigRole"), "NoSuchEntity", "does not exist or is not attachable."},
				{"service-linked role policy", awsPolicy("aws-service-role/AmazonElasticsearchServiceRolePolicy"), "PolicyNotAttachable",
					"Cannot attach a Service Role Policy to a Customer"},
				{"missing customer policy", "arn:aws:iam::123456789012:policy/nope", "NoSuchEntity",
					"Policy arn:aws:iam::123456789012:policy/nope does not exist or is not attachable."},
				{"not an ARN", "longpolicynamebutnoarn", "ValidationError", "ARN longpolicynamebutnoarn is not valid."},
				{"not a policy ARN", "arn:aws:iam::123456789012:role/admin", "InvalidInput",
					"ARN arn:aws:iam::123456789012:role/admin is not valid."},
				{"another partition", "arn:aws-cn:iam::aws:policy/ReadOnlyAccess", "NoSuchEntity", "does not exist or is not attachable."},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					apiErr(t, e.attach(tc.arn), tc.code, tc.msg)
				})
			}

			// Up to the quota: 10 policies in all, including the two above.
			for _, name := range tenAWSPolicies[1:9] {
				if err := e.attach(awsPolicy(name)); err != nil {
					t.Fatalf("attach %s: %v", name, err)
				}
			}
			apiErr(t, e.attach(awsPolicy(tenAWSPolicies[9])), "LimitExceeded", e.quota)
			if err := e.attach(ro); err != nil {
				t.Errorf("re-attaching at the quota: %v", err)
			}

			// Pages of 3 list all 10, each once.
			seen := map[string]bool{}
			var marker *string
			for pages := 0; ; pages++ {
				page, next, err := e.list("", 3, marker)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range page {
					if seen[aws.ToString(p.PolicyArn)] {
						t.Fatalf("%s listed twice", aws.ToString(p.PolicyArn))
					}
					seen[aws.ToString(p.PolicyArn)] = true
				}
				if next == nil {
					if pages != 3 {
						t.Errorf("%d pages, want 4", pages+1)
					}
					break
				}
				marker = next
			}
			if len(seen) != 10 {
				t.Errorf("paged through %d policies, want 10", len(seen))
			}

			apiErr(t, e.del(), "DeleteConflict", "Cannot delete entity, must detach all policies first.")
			apiErr(t, e.detach(awsPolicy(tenAWSPolicies[9])), "NoSuchEntity",
				"Policy "+awsPolicy(tenAWSPolicies[9])+" was not found.")
			apiErr(t, e.detach("nonsense-and-not-an-arn"), "ValidationError", "ARN nonsense-and-not-an-arn is not valid.")
			for arn := range seen {
				if err := e.detach(arn); err != nil {
					t.Fatalf("detach %s: %v", arn, err)
				}
			}
			got, _, err = e.list("", 100, nil)
			if err != nil || len(got) != 0 {
				t.Fatalf("after detaching all: %v, %v", got, err)
			}
			if err := e.del(); err != nil {
				t.Errorf("delete after detaching: %v", err)
			}
		})
	}

	t.Run("missing entities", func(t *testing.T) {
		ro := aws.String(awsPolicy("ReadOnlyAccess"))
		_, err := c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("nobody"), PolicyArn: ro})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.DetachUserPolicy(cx, &iam.DetachUserPolicyInput{UserName: aws.String("nobody"), PolicyArn: ro})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.ListAttachedUserPolicies(cx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.AttachGroupPolicy(cx, &iam.AttachGroupPolicyInput{GroupName: aws.String("nogroup"), PolicyArn: ro})
		apiErr(t, err, "NoSuchEntity", "The group with name nogroup cannot be found.")
		_, err = c.DetachGroupPolicy(cx, &iam.DetachGroupPolicyInput{GroupName: aws.String("nogroup"), PolicyArn: ro})
		apiErr(t, err, "NoSuchEntity", "The group with name nogroup cannot be found.")
		_, err = c.ListAttachedGroupPolicies(cx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("nogroup")})
		apiErr(t, err, "NoSuchEntity", "The group with name nogroup cannot be found.")
		_, err = c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("norole"), PolicyArn: ro})
		apiErr(t, err, "NoSuchEntity", "The role with name norole cannot be found.")
		_, err = c.DetachRolePolicy(cx, &iam.DetachRolePolicyInput{RoleName: aws.String("norole"), PolicyArn: ro})
		apiErr(t, err, "NoSuchEntity", "The role with name norole cannot be found.")
		_, err = c.ListAttachedRolePolicies(cx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("norole")})
		apiErr(t, err, "NoSuchEntity", "The role with name norole cannot be found.")
	})

	t.Run("a service-linked role's policies are its service's", func(t *testing.T) {
		slr, err := c.CreateServiceLinkedRole(cx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticbeanstalk.amazonaws.com")})
		if err != nil {
			t.Fatal(err)
		}
		name := aws.ToString(slr.Role.RoleName)
		attached, err := c.ListAttachedRolePolicies(cx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
		if err != nil || len(attached.AttachedPolicies) != 1 {
			t.Fatalf("the service-linked role's policies: %+v, %v", attached, err)
		}
		msg := "Cannot perform the operation on the protected role '" + name + "' - this role is only modifiable by AWS"
		_, err = c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(awsPolicy("ReadOnlyAccess"))})
		apiErr(t, err, "UnmodifiableEntity", msg)
		_, err = c.DetachRolePolicy(cx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: attached.AttachedPolicies[0].PolicyArn})
		apiErr(t, err, "UnmodifiableEntity", msg)
		_, err = c.PutRolePolicy(cx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`)})
		apiErr(t, err, "UnmodifiableEntity", msg)
		_, err = c.DeleteRolePolicy(cx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p")})
		apiErr(t, err, "UnmodifiableEntity", msg)
	})
}

// lambdaTrust lets Lambda assume a role.
const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// TestUserPermissionsBoundary sets, shows and removes a user's permissions
// boundary, on CreateUser and with Put/DeleteUserPermissionsBoundary.
func TestUserPermissionsBoundary(t *testing.T) {
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
	boundary := awsPolicy("PowerUserAccess")

	boundaryOf := func(t *testing.T, name string) *iamtypes.AttachedPermissionsBoundary {
		t.Helper()
		out, err := c.GetUser(cx, &iam.GetUserInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return out.User.PermissionsBoundary
	}
	wantBoundary := func(t *testing.T, got *iamtypes.AttachedPermissionsBoundary, arn string) {
		t.Helper()
		if got == nil || aws.ToString(got.PermissionsBoundaryArn) != arn || got.PermissionsBoundaryType != "Policy" {
			t.Errorf("boundary %+v, want Policy %s", got, arn)
		}
	}

	t.Run("on CreateUser", func(t *testing.T) {
		out, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(boundary)})
		if err != nil {
			t.Fatal(err)
		}
		wantBoundary(t, out.User.PermissionsBoundary, boundary)
		wantBoundary(t, boundaryOf(t, "bounded"), boundary)
		list, err := c.ListUsers(cx, &iam.ListUsersInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range list.Users {
			if u.PermissionsBoundary != nil {
				t.Errorf("ListUsers shows %s's boundary; AWS does not", aws.ToString(u.UserName))
			}
		}
	})

	t.Run("CreateUser refuses a bad boundary and creates nothing", func(t *testing.T) {
		cases := []struct{ name, arn, code, msg string }{
			{"not a policy", "arn:aws:iam::" + acct + ":not_a_policy/invalid", "InvalidInput",
				"ARN arn:aws:iam::" + acct + ":not_a_policy/invalid is not valid."},
			{"missing policy", "arn:aws:iam::" + acct + ":policy/nonexistent-policy", "NoSuchEntity",
				"Scope ARN: arn:aws:iam::" + acct + ":policy/nonexistent-policy does not exist or is not attachable."},
			{"missing AWS policy", awsPolicy("NoSuchBoundary"), "NoSuchEntity",
				"Scope ARN: " + awsPolicy("NoSuchBoundary") + " does not exist or is not attachable."},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("refused"), PermissionsBoundary: aws.String(tc.arn)})
				apiErr(t, err, tc.code, tc.msg)
				_, err = c.GetUser(cx, &iam.GetUserInput{UserName: aws.String("refused")})
				apiErr(t, err, "NoSuchEntity", "")
			})
		}
	})

	t.Run("put and delete", func(t *testing.T) {
		if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("later")}); err != nil {
			t.Fatal(err)
		}
		if b := boundaryOf(t, "later"); b != nil {
			t.Errorf("new user has boundary %+v", b)
		}
		for _, arn := range []string{boundary, awsPolicy("ReadOnlyAccess")} { // set, then replace
			if _, err := c.PutUserPermissionsBoundary(cx, &iam.PutUserPermissionsBoundaryInput{
				UserName: aws.String("later"), PermissionsBoundary: aws.String(arn)}); err != nil {
				t.Fatal(err)
			}
			wantBoundary(t, boundaryOf(t, "later"), arn)
		}
		_, err := c.PutUserPermissionsBoundary(cx, &iam.PutUserPermissionsBoundaryInput{
			UserName: aws.String("later"), PermissionsBoundary: aws.String(awsPolicy("Nope"))})
		apiErr(t, err, "NoSuchEntity", "Scope ARN: "+awsPolicy("Nope")+" does not exist or is not attachable.")
		wantBoundary(t, boundaryOf(t, "later"), awsPolicy("ReadOnlyAccess"))
		for range 2 { // deleting again leaves the user without one
			if _, err := c.DeleteUserPermissionsBoundary(cx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("later")}); err != nil {
				t.Fatal(err)
			}
		}
		if b := boundaryOf(t, "later"); b != nil {
			t.Errorf("boundary after delete: %+v", b)
		}
	})

	t.Run("missing user", func(t *testing.T) {
		_, err := c.PutUserPermissionsBoundary(cx, &iam.PutUserPermissionsBoundaryInput{
			UserName: aws.String("nobody"), PermissionsBoundary: aws.String(boundary)})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.DeleteUserPermissionsBoundary(cx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	})
}
