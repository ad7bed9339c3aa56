package e2e_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/policy"
)

// docOfSize returns a valid identity policy document of exactly n
// characters as IAM counts them (whitespace outside strings excluded),
// padded with a resource ARN of the right length.
func docOfSize(t *testing.T, n int) string {
	t.Helper()
	const head = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/"
	const tail = "\"}]\n}"
	pad := n - policy.Size([]byte(head+tail))
	if pad < 1 {
		t.Fatalf("no document of %d characters", n)
	}
	doc := head + strings.Repeat("x", pad) + tail
	if got := policy.Size([]byte(doc)); got != n {
		t.Fatalf("document of %d characters, want %d", got, n)
	}
	return doc
}

// inlineOps are one entity kind's inline policy operations.
type inlineOps struct {
	kind, entity string
	limit        int
	create       func() error
	put          func(name, doc string) error
	get          func(name string) (gotName, doc string, err error)
	del          func(name string) error
	list         func(max int32, marker *string) ([]string, *string, error)
	deleteEntity func() error
}

// TestInlinePolicies puts, gets, lists and deletes inline policies of
// users, groups and roles through their happy, not-found, malformed, size-quota
// and conflict paths.
func TestInlinePolicies(t *testing.T) {
	t.Parallel()
	in := start(t, "", "--emulator")
	c := in.IAM(creds{ID: "testing", Secret: "testing"})
	cx := ctx(t)

	user := inlineOps{
		kind: "user", entity: "alice", limit: 2048,
		create: func() error {
			_, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("alice")})
			return err
		},
		put: func(name, doc string) error {
			_, err := c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
			return err
		},
		get: func(name string) (string, string, error) {
			out, err := c.GetUserPolicy(cx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String(name)})
			if err != nil {
				return "", "", err
			}
			if aws.ToString(out.UserName) != "alice" {
				return "", "", fmt.Errorf("UserName %q", aws.ToString(out.UserName))
			}
			return aws.ToString(out.PolicyName), aws.ToString(out.PolicyDocument), nil
		},
		del: func(name string) error {
			_, err := c.DeleteUserPolicy(cx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String(name)})
			return err
		},
		list: func(max int32, marker *string) ([]string, *string, error) {
			out, err := c.ListUserPolicies(cx, &iam.ListUserPoliciesInput{UserName: aws.String("alice"), MaxItems: aws.Int32(max), Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.PolicyNames, out.Marker, nil
		},
		deleteEntity: func() error {
			_, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("alice")})
			return err
		},
	}
	group := inlineOps{
		kind: "group", entity: "devs", limit: 5120,
		create: func() error {
			_, err := c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("devs")})
			return err
		},
		put: func(name, doc string) error {
			_, err := c.PutGroupPolicy(cx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
			return err
		},
		get: func(name string) (string, string, error) {
			out, err := c.GetGroupPolicy(cx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String(name)})
			if err != nil {
				return "", "", err
			}
			if aws.ToString(out.GroupName) != "devs" {
				return "", "", fmt.Errorf("GroupName %q", aws.ToString(out.GroupName))
			}
			return aws.ToString(out.PolicyName), aws.ToString(out.PolicyDocument), nil
		},
		del: func(name string) error {
			_, err := c.DeleteGroupPolicy(cx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String(name)})
			return err
		},
		list: func(max int32, marker *string) ([]string, *string, error) {
			out, err := c.ListGroupPolicies(cx, &iam.ListGroupPoliciesInput{GroupName: aws.String("devs"), MaxItems: aws.Int32(max), Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.PolicyNames, out.Marker, nil
		},
		deleteEntity: func() error {
			_, err := c.DeleteGroup(cx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
			return err
		},
	}
	role := inlineOps{
		kind: "role", entity: "app", limit: 10240,
		create: func() error {
			_, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
			return err
		},
		put: func(name, doc string) error {
			_, err := c.PutRolePolicy(cx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
			return err
		},
		get: func(name string) (string, string, error) {
			out, err := c.GetRolePolicy(cx, &iam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String(name)})
			if err != nil {
				return "", "", err
			}
			if aws.ToString(out.RoleName) != "app" {
				return "", "", fmt.Errorf("RoleName %q", aws.ToString(out.RoleName))
			}
			return aws.ToString(out.PolicyName), aws.ToString(out.PolicyDocument), nil
		},
		del: func(name string) error {
			_, err := c.DeleteRolePolicy(cx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String(name)})
			return err
		},
		list: func(max int32, marker *string) ([]string, *string, error) {
			out, err := c.ListRolePolicies(cx, &iam.ListRolePoliciesInput{RoleName: aws.String("app"), MaxItems: aws.Int32(max), Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.PolicyNames, out.Marker, nil
		},
		deleteEntity: func() error {
			_, err := c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
			return err
		},
	}
	for _, e := range []inlineOps{user, group, role} {
		t.Run(e.kind, func(t *testing.T) { testInline(t, e) })
	}

	t.Run("missing entities", func(t *testing.T) {
		doc := aws.String(docOfSize(t, 200))
		_, err := c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("p"), PolicyDocument: doc})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.GetUserPolicy(cx, &iam.GetUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("p")})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.ListUserPolicies(cx, &iam.ListUserPoliciesInput{UserName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.DeleteUserPolicy(cx, &iam.DeleteUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("p")})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.PutGroupPolicy(cx, &iam.PutGroupPolicyInput{GroupName: aws.String("nogroup"), PolicyName: aws.String("p"), PolicyDocument: doc})
		apiErr(t, err, "NoSuchEntity", "The group with name nogroup cannot be found.")
		_, err = c.GetGroupPolicy(cx, &iam.GetGroupPolicyInput{GroupName: aws.String("nogroup"), PolicyName: aws.String("p")})
		apiErr(t, err, "NoSuchEntity", "The group with name nogroup cannot be found.")
		_, err = c.ListGroupPolicies(cx, &iam.ListGroupPoliciesInput{GroupName: aws.String("nogroup")})
		apiErr(t, err, "NoSuchEntity", "The group with name nogroup cannot be found.")
		_, err = c.DeleteGroupPolicy(cx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("nogroup"), PolicyName: aws.String("p")})
		apiErr(t, err, "NoSuchEntity", "The group with name nogroup cannot be found.")
		_, err = c.PutRolePolicy(cx, &iam.PutRolePolicyInput{RoleName: aws.String("norole"), PolicyName: aws.String("p"), PolicyDocument: doc})
		apiErr(t, err, "NoSuchEntity", "The role with name norole cannot be found.")
		_, err = c.GetRolePolicy(cx, &iam.GetRolePolicyInput{RoleName: aws.String("norole"), PolicyName: aws.String("p")})
		apiErr(t, err, "NoSuchEntity", "The role with name norole cannot be found.")
		_, err = c.ListRolePolicies(cx, &iam.ListRolePoliciesInput{RoleName: aws.String("norole")})
		apiErr(t, err, "NoSuchEntity", "The role with name norole cannot be found.")
		_, err = c.DeleteRolePolicy(cx, &iam.DeleteRolePolicyInput{RoleName: aws.String("norole"), PolicyName: aws.String("p")})
		apiErr(t, err, "NoSuchEntity", "The role with name norole cannot be found.")
	})
}

func testInline(t *testing.T, e inlineOps) {
	if err := e.create(); err != nil {
		t.Fatal(err)
	}
	if names, _, err := e.list(100, nil); err != nil || len(names) != 0 {
		t.Fatalf("new %s's policies: %v, %v", e.kind, names, err)
	}

	// The document comes back as given, URL-encoded as AWS returns it.
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:Get*\", \"Resource\": \"*\"}\n}"
	if err := e.put("ReadS3", doc); err != nil {
		t.Fatal(err)
	}
	name, enc, err := e.get("reads3") // names fold case
	if err != nil {
		t.Fatal(err)
	}
	if name != "ReadS3" {
		t.Errorf("PolicyName %q, want ReadS3", name)
	}
	if strings.ContainsAny(enc, "{ \"\n") || !strings.Contains(enc, "%20") {
		t.Errorf("document not URL-encoded with %%20 for spaces: %q", enc)
	}
	if dec, err := url.QueryUnescape(enc); err != nil || dec != doc {
		t.Errorf("decoded document %q, %v; want %q", dec, err, doc)
	}

	t.Run("malformed documents", func(t *testing.T) {
		cases := []struct{ name, doc, msg string }{
			{"not JSON", "{not json", "Syntax errors in policy."},
			{"no action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Policy statement must contain actions."},
			{"principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`,
				"Policy document should not specify a principal."},
			{"action without vendor", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`,
				"Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				apiErr(t, e.put("bad", tc.doc), "MalformedPolicyDocument", tc.msg)
				_, _, err := e.get("bad")
				apiErr(t, err, "NoSuchEntity", "")
			})
		}
	})

	t.Run("size quota on all inline policies together", func(t *testing.T) {
		first := policy.Size([]byte(doc))
		if err := e.put("Big", docOfSize(t, e.limit-first)); err != nil {
			t.Fatalf("exactly at the quota: %v", err)
		}
		msg := fmt.Sprintf("Maximum policy size of %d bytes exceeded for %s %s", e.limit, e.kind, e.entity)
		apiErr(t, e.put("OneMore", docOfSize(t, 200)), "LimitExceeded", msg)
		apiErr(t, e.put("Big", docOfSize(t, e.limit-first+1)), "LimitExceeded", msg)
		// Replacing a policy counts its new size, not both.
		if err := e.put("big", docOfSize(t, e.limit-first-50)); err != nil {
			t.Fatalf("replacing with a smaller document: %v", err)
		}
		if name, _, err := e.get("BIG"); err != nil || name != "big" {
			t.Errorf("after replacing Big with big: name %q, %v", name, err)
		}
		if _, _, err := e.get("OneMore"); err == nil {
			t.Error("a policy refused for size was stored")
		}
	})

	names, _, err := e.list(100, nil)
	if err != nil || fmt.Sprint(names) != "[big ReadS3]" {
		t.Fatalf("policies %v, %v; want [big ReadS3]", names, err)
	}
	first, marker, err := e.list(1, nil)
	if err != nil || len(first) != 1 || marker == nil {
		t.Fatalf("first page %v, marker %v, %v", first, marker, err)
	}
	second, marker, err := e.list(1, marker)
	if err != nil || len(second) != 1 || marker != nil || second[0] == first[0] {
		t.Fatalf("second page %v, marker %v, %v", second, marker, err)
	}

	apiErr(t, e.deleteEntity(), "DeleteConflict", "Cannot delete entity, must delete policies first.")
	notFound := fmt.Sprintf("The %s policy with name nope cannot be found.", e.kind)
	_, _, err = e.get("nope")
	apiErr(t, err, "NoSuchEntity", notFound)
	apiErr(t, e.del("nope"), "NoSuchEntity", notFound)
	for _, n := range names {
		if err := e.del(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.deleteEntity(); err != nil {
		t.Errorf("delete after deleting policies: %v", err)
	}
}
