package policy_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/policy"
)

var fuzzSeeds = []string{
	carlosIdentity, carlosBucket, getListDenyReports, notPrincipalBob, notPrincipalSession,
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::mybucket","Condition":{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}}}`,
	`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8::/32"]},"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]},"Null":{"aws:TokenIssueTime":"true"},"NumericLessThan":{"s3:max-keys":10},"BinaryEquals":{"k":"QQ=="},"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"}}}}`,
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","Federated":"accounts.google.com"},"Action":"sts:AssumeRole"}}`,
	`{"Statement":[{"Sid":"a","Effect":"Allow","Action":["s3:*a*a*a*b","ec2:Describe?nstances"],"NotResource":"arn:aws:s3:::x/${*}${?}${$}"}]}`,
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}/*"}}`,
	`[1,2,{"a":"\u00e9\ud83d\ude00"}]`, `{"Version":`, `{}`, ``,
}

// FuzzParse: no document makes Parse or Validate panic or hang, Parse and
// Validate agree, and a parsed policy evaluates.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(0))
	}
	kinds := []policy.Kind{policy.Identity, policy.Managed, policy.Session, policy.Boundary, policy.Resource, policy.Trust, policy.SCP, policy.RCP}
	f.Fuzz(func(t *testing.T, doc string, k uint8) {
		timer := time.AfterFunc(30*time.Second, func() { panic(fmt.Sprintf("hang on %q kind %d", doc, k)) })
		defer timer.Stop()
		kind := kinds[int(k)%len(kinds)]
		p, err := policy.Parse([]byte(doc), kind)
		findings := policy.Validate([]byte(doc), kind)
		if (err == nil) != (len(findings) == 0) {
			t.Fatalf("Parse error %v but %d findings", err, len(findings))
		}
		if err != nil {
			if findings[0].Message != err.Error() || findings[0].Message == "" {
				t.Fatalf("Parse %q vs Validate %q", err, findings[0].Message)
			}
			return
		}
		var ctx policy.Context
		ctx.Set("aws:username", "alice")
		ctx.SetMulti("aws:TagKeys", []string{"a", "b"})
		for _, pt := range []policy.PrincipalType{policy.User, policy.AssumedRole, policy.FederatedUser, policy.Root, policy.Service, policy.Anonymous} {
			r := policy.Request{Principal: policy.Principal{Type: pt, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333", RoleARN: "arn:aws:iam::111122223333:role/r", Service: "ec2.amazonaws.com"},
				Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/k", Context: ctx}
			var set policy.PolicySet
			switch kind {
			case policy.Resource:
				set.Resource = p
			case policy.Trust:
				set.Resource = p
				r.ResourceKind = policy.RoleTrustPolicy
			case policy.Boundary:
				set.Boundary = p
			case policy.Session:
				set.Session = []*policy.Policy{p}
			case policy.SCP:
				set.SCP = [][]*policy.Policy{{p}}
			case policy.RCP:
				set.RCP = [][]*policy.Policy{{p}}
			default:
				set.Identity = []*policy.Policy{p}
			}
			policy.Evaluate(r, set)
		}
	})
}

// FuzzEvaluate: arbitrary actions, resources and context values against
// fixed policies never panic or hang, and an explicit Deny of everything
// always wins.
func FuzzEvaluate(f *testing.F) {
	f.Add("s3:GetObject", "arn:aws:s3:::b/k", "alice", "203.0.113.7", "2020-01-01T00:00:00Z", "a,b")
	f.Add("S3:*", "*", "", "::1", "1700000000", "")
	f.Add(strings.Repeat("a", 60), "arn:aws:s3:::"+strings.Repeat("a", 60), "${aws:username}", "not-an-ip", "t", ",,,")
	var ps []*policy.Policy
	for _, s := range fuzzSeeds {
		if p, err := policy.Parse([]byte(s), policy.Identity); err == nil {
			ps = append(ps, p)
		}
	}
	res, _ := policy.Parse([]byte(carlosBucket), policy.Resource)
	denyAll, _ := policy.Parse([]byte(denyDoc("*", "*")), policy.Identity)
	f.Fuzz(func(t *testing.T, action, resource, user, ip, date, tags string) {
		var ctx policy.Context
		ctx.Set("aws:username", user)
		ctx.Set("aws:SourceIp", ip)
		ctx.Set("aws:CurrentTime", date)
		ctx.Set("aws:TokenIssueTime", date)
		ctx.Set("k", ip)
		ctx.Set("s3:max-keys", date)
		ctx.SetMulti("aws:TagKeys", strings.Split(tags, ","))
		r := policy.Request{Principal: policy.Principal{Type: policy.User, ARN: "arn:aws:iam::111122223333:user/" + user, Account: "111122223333"},
			Action: action, Resource: resource, Context: ctx}
		policy.Evaluate(r, policy.PolicySet{Identity: ps, Resource: res})
		d := policy.Evaluate(r, policy.PolicySet{Identity: append(append([]*policy.Policy{}, ps...), denyAll), Resource: res})
		if d.Effect != policy.ExplicitDeny {
			t.Fatalf("deny-all did not deny %q on %q: %v", action, resource, d)
		}
	})
}
