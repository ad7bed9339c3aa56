package authz

import (
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store/sqlite"
	"github.com/iamd/iamd/internal/stsapi"
)

var update = flag.Bool("update", false, "rewrite testdata/resources.txt")

const testAccount = "123456789012"

// sampleValue is a plausible value for an input member, by name, so that
// every operation names a resource.
func sampleValue(field string) string {
	switch field {
	case "PolicyArn", "PermissionsBoundary":
		return "arn:aws:iam::123456789012:policy/team/P"
	case "OpenIDConnectProviderArn":
		return "arn:aws:iam::123456789012:oidc-provider/example.com"
	case "SAMLProviderArn":
		return "arn:aws:iam::123456789012:saml-provider/Corp"
	case "SerialNumber":
		return "arn:aws:iam::123456789012:mfa/Dev"
	case "RoleArn":
		return "arn:aws:iam::210987654321:role/ops/Deploy"
	case "Arn", "PolicySourceArn":
		return "arn:aws:iam::123456789012:user/U"
	case "EntityArn":
		return "arn:aws:iam::123456789012:delegation-request/D"
	case "Url":
		return "https://login.example.com/oidc"
	case "DeletionTaskId":
		return "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/0b1c"
	case "TargetPrincipal":
		return "210987654321"
	case "AWSServiceName":
		return "ecs.amazonaws.com"
	case "Path", "PathPrefix":
		return "/team/"
	case "Name":
		return "Corp"
	case "EntityPath":
		return "o-a1b2c3/r-ab12/ou-ab12-11111111"
	}
	return strings.TrimSuffix(strings.TrimSuffix(field, "Name"), "Id")
}

// sampleInput fills every string member of an operation's input.
func sampleInput(t reflect.Type) any {
	if t == nil {
		return nil
	}
	v := reflect.New(t)
	for i := 0; i < t.NumField(); i++ {
		f := v.Elem().Field(i)
		name := t.Field(i).Name
		switch {
		case f.Kind() == reflect.String:
			f.SetString(sampleValue(name))
		case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.String:
			s := sampleValue(name)
			f.Set(reflect.ValueOf(&s))
		case name == "Tags" && f.Kind() == reflect.Slice:
			tag := reflect.New(f.Type().Elem()).Elem()
			tag.FieldByName("Key").SetString("team")
			tag.FieldByName("Value").SetString("blue")
			f.Set(reflect.Append(f, tag))
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			f.Set(reflect.ValueOf([]string{"k1", "k2"}).Convert(f.Type()))
		}
	}
	return v.Interface()
}

// TestEveryOperationHasAResource checks that every IAM and STS operation
// of the models has a plan, that each one with resource types in the
// reference is authorized on an ARN (never on "*" by accident), and that
// the resources are the ones recorded in testdata/resources.txt (reviewed
// by hand; -update rewrites it).
func TestEveryOperationHasAResource(t *testing.T) {
	if err := PlanError(); err != nil {
		t.Fatal(err)
	}
	ops := Operations()
	if want := len(iamapi.Operations) + len(stsapi.Operations); len(ops) != want {
		t.Fatalf("%d plans, want one per operation (%d)", len(ops), want)
	}
	st, err := sqlite.OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := New(st, Options{ServiceLinkedRole: iam.ServiceLinkedRole})
	all, _ := plans()
	var golden strings.Builder
	for _, op := range ops {
		svc, name, _ := strings.Cut(op, ":")
		p := all[planKey{svc, name}]
		var in reflect.Type
		if svc == "iam" {
			in = iamapi.Operations[name].Input
		} else {
			in = stsapi.Operations[name].Input
		}
		c := &service.Call{
			Action: name, AccountID: testAccount, Partition: "aws", Region: "us-east-1", Now: time.Unix(0, 0),
			Caller: service.Principal{Type: service.User, AccountID: testAccount, ARN: "arn:aws:iam::123456789012:user/me", UserID: "AIDAEXAMPLE", Name: "me"},
		}
		d, err := a.AuthorizeCall(context.Background(), Call{Service: svc, Operation: name, Input: sampleInput(in), Call: c})
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		switch p.rule {
		case ruleEntity:
			if op == "iam:GetAccessKeyLastUsed" && d.Resource.ARN == "*" {
				// An access key that does not exist has no owner.
			} else if !strings.HasPrefix(d.Resource.ARN, "arn:") {
				t.Errorf("%s has resource types %v but is authorized on %q", op, p.ref.Resources, d.Resource.ARN)
			}
		case ruleAccount:
			if len(p.ref.Resources) > 0 {
				t.Errorf("%s is account-level but the reference gives %v", op, p.ref.Resources)
			}
		}
		var keys []string
		var all []string
		if d.Context != nil {
			all = d.Context.Keys()
		}
		for _, k := range all {
			if !strings.HasPrefix(k, "aws:Principal") && !strings.HasPrefix(k, "aws:user") && !strings.Contains(k, "Time") &&
				k != "aws:SecureTransport" && k != "aws:RequestedRegion" && k != "aws:ViaAWSService" {
				keys = append(keys, k)
			}
		}
		fmt.Fprintf(&golden, "%s\t%s\t%s\t%s\n", op, d.Resource.ARN, d.Resource.display(), strings.Join(keys, " "))
	}
	const file = "testdata/resources.txt"
	if *update {
		if err := os.WriteFile(file, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := golden.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("resources differ from %s at line %d:\n got %s\nwant %s", file, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("resources differ from %s in length (%d lines, want %d)", file, len(gl), len(wl))
	}
}

func TestFormatARN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, format, resource, want string }{
		{"user with path", "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}", "a/b/bob", "arn:aws:iam::123456789012:user/a/b/bob"},
		{"no resource part", "arn:${Partition}:iam::${Account}:root", "", "arn:aws:iam::123456789012:root"},
		{"sts", "arn:${Partition}:sts::${Account}:federated-user/${FederatedUserName}", "fed", "arn:aws:sts::123456789012:federated-user/fed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := formatARN(tc.format, "aws", testAccount, tc.resource); got != tc.want {
				t.Fatalf("formatARN = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSplitRoleARN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ arn, account, name, path string }{
		{"arn:aws:iam::111122223333:role/ops/Deploy", "111122223333", "Deploy", "/ops/"},
		{"arn:aws:iam::111122223333:role/R", "111122223333", "R", "/"},
		{"arn:aws:iam::111122223333:user/R", "111122223333", "", ""},
		{"not-an-arn", "", "", ""},
	} {
		a, n, p := splitRoleARN(tc.arn)
		if a != tc.account || n != tc.name || p != tc.path {
			t.Errorf("splitRoleARN(%q) = %q %q %q", tc.arn, a, n, p)
		}
	}
}

// TestServiceLinkedRoleResource checks that CreateServiceLinkedRole is
// authorized on the exact ARN of the role it would create when the
// Authorizer knows IAM's naming, and on the service's role path when it
// does not or the name cannot be formed (the call itself then fails).
func TestServiceLinkedRoleResource(t *testing.T) {
	t.Parallel()
	st, err := sqlite.OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	named := New(st, Options{ServiceLinkedRole: iam.ServiceLinkedRole})
	unnamed := New(st, Options{})
	for _, tc := range []struct {
		name, service, suffix string
		a                     *Authorizer
		want                  string
	}{
		{"documented service", "ecs.amazonaws.com", "", named, "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"},
		{"custom suffix", "autoscaling.amazonaws.com", "web", named, "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web"},
		{"derived name", "custom-thing.amazonaws.com", "", named, "arn:aws:iam::123456789012:role/aws-service-role/custom-thing.amazonaws.com/AWSServiceRoleForCustomThing"},
		{"not a service principal", "bob", "", named, "arn:aws:iam::123456789012:role/aws-service-role/bob/"},
		{"without the naming", "ecs.amazonaws.com", "", unnamed, "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &iamapi.CreateServiceLinkedRoleRequest{AWSServiceName: tc.service}
			if tc.suffix != "" {
				in.CustomSuffix = &tc.suffix
			}
			c := &service.Call{
				Action: "CreateServiceLinkedRole", AccountID: testAccount, Partition: "aws", Region: "us-east-1", Now: time.Unix(0, 0),
				Caller: service.Principal{Type: service.User, AccountID: testAccount, ARN: "arn:aws:iam::123456789012:user/me", UserID: "AIDAEXAMPLE", Name: "me"},
			}
			d, err := tc.a.AuthorizeCall(context.Background(), Call{Service: "iam", Operation: "CreateServiceLinkedRole", Input: in, Call: c})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Release()
			if d.Resource.ARN != tc.want {
				t.Fatalf("resource %q, want %q", d.Resource.ARN, tc.want)
			}
		})
	}
}
