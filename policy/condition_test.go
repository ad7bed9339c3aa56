package policy_test

import (
	"testing"

	"github.com/iamd/iamd/policy"
)

// ctxv is a context value in a test: a string (single) or []string (multi).
type ctxv = any

type condCase struct {
	name  string
	page  string
	cond  string         // the Condition element's JSON
	ctx   map[string]any // string or []string values
	want  bool           // does the statement apply?
	v2008 bool           // use Version 2008-10-17
}

const (
	pageOps    = "reference_policies_elements_condition_operators"
	pageMulti  = "reference_policies_condition-single-vs-multi-valued-context-keys"
	pageLogicC = "reference_policies_condition-logic-multiple-context-keys-or-values"
)

var condCases = []condCase{
	// String operators.
	{"StringEquals match", pageOps, `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, map[string]any{"aws:PrincipalTag/job-category": "iamuser-admin"}, true, false},
	{"StringEquals case-sensitive value", pageOps, `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, map[string]any{"aws:PrincipalTag/job-category": "IAMUSER-ADMIN"}, false, false},
	{"StringEquals missing key", pageOps, `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, nil, false, false},
	{"keys are case-insensitive, tag part too", pageVars, `{"StringEquals":{"aws:PrincipalTag/Job-Category":"x"}}`, map[string]any{"AWS:principaltag/job-category": "x"}, true, false},
	{"StringNotEquals", pageOps, `{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}`, map[string]any{"aws:RequestedRegion": "eu-west-1"}, true, false},
	{"StringNotEquals equal", pageOps, `{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}`, map[string]any{"aws:RequestedRegion": "us-east-1"}, false, false},
	{"StringNotEquals missing key is true", pageOps, `{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}`, nil, true, false},
	{"StringEqualsIgnoreCase", pageOps, `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"Blue"}}`, map[string]any{"aws:PrincipalTag/team": "bLUE"}, true, false},
	{"StringNotEqualsIgnoreCase", pageOps, `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/team":"Blue"}}`, map[string]any{"aws:PrincipalTag/team": "bLUE"}, false, false},
	{"StringLike wildcard", pageOps, `{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}`, map[string]any{"s3:prefix": "home/alice/docs", "aws:username": "alice"}, true, false},
	{"StringLike empty prefix", pageOps, `{"StringLike":{"s3:prefix":["","home/"]}}`, map[string]any{"s3:prefix": ""}, true, false},
	{"StringLike other user", pageOps, `{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}`, map[string]any{"s3:prefix": "home/bob/x", "aws:username": "alice"}, false, false},
	{"StringLike question mark", pageOps, `{"StringLike":{"ec2:InstanceType":"t?.micro"}}`, map[string]any{"ec2:InstanceType": "t3.micro"}, true, false},
	{"StringLike crosses colons", pageOps, `{"StringLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}`, map[string]any{"aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}, true, false},
	{"StringNotLike", pageOps, `{"StringNotLike":{"s3:prefix":"secret/*"}}`, map[string]any{"s3:prefix": "public/a"}, true, false},
	{"StringNotLike missing", pageOps, `{"StringNotLike":{"s3:prefix":"secret/*"}}`, nil, true, false},
	{"StringEquals star is literal", pageOps, `{"StringEquals":{"k:v":"a*"}}`, map[string]any{"k:v": "abc"}, false, false},
	{"values are ORed", pageLogicC, `{"StringEquals":{"aws:PrincipalTag/team":["red","blue"]}}`, map[string]any{"aws:PrincipalTag/team": "blue"}, true, false},
	{"keys are ANDed", pageLogicC, `{"StringEquals":{"aws:PrincipalTag/team":"blue","aws:PrincipalTag/env":"prod"}}`, map[string]any{"aws:PrincipalTag/team": "blue", "aws:PrincipalTag/env": "dev"}, false, false},
	{"operators are ANDed", pageLogicC, `{"StringEquals":{"aws:PrincipalTag/team":"blue"},"Bool":{"aws:SecureTransport":"true"}}`, map[string]any{"aws:PrincipalTag/team": "blue", "aws:SecureTransport": "false"}, false, false},
	{"operators all true", pageLogicC, `{"StringEquals":{"aws:PrincipalTag/team":"blue"},"Bool":{"aws:SecureTransport":"true"}}`, map[string]any{"aws:PrincipalTag/team": "blue", "aws:SecureTransport": "true"}, true, false},
	// Numeric.
	{"NumericLessThanEquals", pageOps, `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, map[string]any{"s3:max-keys": "10"}, true, false},
	{"NumericLessThanEquals over", pageOps, `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, map[string]any{"s3:max-keys": "11"}, false, false},
	{"NumericEquals decimal", pageOps, `{"NumericEquals":{"n":"1.50"}}`, map[string]any{"n": "1.5"}, true, false},
	{"NumericNotEquals", pageOps, `{"NumericNotEquals":{"n":3}}`, map[string]any{"n": "4"}, true, false},
	{"NumericLessThan", pageOps, `{"NumericLessThan":{"n":3}}`, map[string]any{"n": "-2"}, true, false},
	{"NumericGreaterThan", pageOps, `{"NumericGreaterThan":{"n":3}}`, map[string]any{"n": "3"}, false, false},
	{"NumericGreaterThanEquals", pageOps, `{"NumericGreaterThanEquals":{"n":3}}`, map[string]any{"n": "3"}, true, false},
	{"Numeric not a number", pageOps, `{"NumericEquals":{"n":3}}`, map[string]any{"n": "three"}, false, false},
	{"Numeric big integers exact", pageOps, `{"NumericEquals":{"n":"9007199254740993"}}`, map[string]any{"n": "9007199254740992"}, false, false},
	{"Numeric no variables", pageVars, `{"NumericEquals":{"n":"${aws:username}"}}`, map[string]any{"n": "1", "aws:username": "1"}, false, false},
	// Dates.
	{"DateGreaterThan ISO", pageOps, `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}`, map[string]any{"aws:TokenIssueTime": "2020-06-01T10:00:00Z"}, true, false},
	{"DateGreaterThan earlier", pageOps, `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}`, map[string]any{"aws:TokenIssueTime": "2019-12-31T23:59:59Z"}, false, false},
	{"DateGreaterThan missing", pageOps, `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}`, nil, false, false},
	{"DateLessThan epoch vs ISO", pageOps, `{"DateLessThan":{"aws:EpochTime":"2020-01-01T00:00:00Z"}}`, map[string]any{"aws:EpochTime": "1577836799"}, true, false},
	{"DateEquals epoch policy value", pageOps, `{"DateEquals":{"aws:CurrentTime":1577836800}}`, map[string]any{"aws:CurrentTime": "2020-01-01T00:00:00Z"}, true, false},
	{"DateEquals time zones", pageOps, `{"DateEquals":{"aws:CurrentTime":"2020-01-01T01:30:00+01:30"}}`, map[string]any{"aws:CurrentTime": "2020-01-01T00:00:00Z"}, true, false},
	{"DateLessThanEquals date only", pageOps, `{"DateLessThanEquals":{"aws:CurrentTime":"2020-01-01"}}`, map[string]any{"aws:CurrentTime": "2020-01-01T00:00:00Z"}, true, false},
	{"DateNotEquals", pageOps, `{"DateNotEquals":{"aws:CurrentTime":"2020-01-01"}}`, map[string]any{"aws:CurrentTime": "2020-01-02"}, true, false},
	{"DateGreaterThanEquals fraction", pageOps, `{"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01T00:00:00.5Z"}}`, map[string]any{"aws:CurrentTime": "2020-01-01T00:00:00.499Z"}, false, false},
	// Bool.
	{"Bool false", pageOps, `{"Bool":{"aws:SecureTransport":"false"}}`, map[string]any{"aws:SecureTransport": "false"}, true, false},
	{"Bool JSON boolean", pageOps, `{"Bool":{"aws:SecureTransport":true}}`, map[string]any{"aws:SecureTransport": "TRUE"}, true, false},
	{"Bool mismatch", pageOps, `{"Bool":{"aws:SecureTransport":"false"}}`, map[string]any{"aws:SecureTransport": "true"}, false, false},
	{"BoolIfExists missing", pageOps, `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, nil, true, false},
	{"Bool with variable", pageOps, `{"Bool":{"aws:SecureTransport":"${aws:PrincipalTag/secure}"}}`, map[string]any{"aws:SecureTransport": "true", "aws:PrincipalTag/secure": "true"}, true, false},
	// Binary.
	{"BinaryEquals", pageOps, `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, map[string]any{"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, true, false},
	{"BinaryEquals raw bytes", pageOps, `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, map[string]any{"key": "BinaryValueInBase64"}, true, false},
	{"BinaryEquals differs", pageOps, `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, map[string]any{"key": "QQ=="}, false, false},
	// IP addresses.
	{"IpAddress v4", pageOps, `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, map[string]any{"aws:SourceIp": "203.0.113.7"}, true, false},
	{"IpAddress v4 outside", pageOps, `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, map[string]any{"aws:SourceIp": "203.0.114.7"}, false, false},
	{"IpAddress v6", pageOps, `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}`, map[string]any{"aws:SourceIp": "2001:db8:1234:5678::1"}, true, false},
	{"IpAddress bare address is /32", pageOps, `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, map[string]any{"aws:SourceIp": "203.0.113.8"}, false, false},
	{"IpAddress mapped v4", pageOps, `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, map[string]any{"aws:SourceIp": "::ffff:203.0.113.9"}, true, false},
	{"NotIpAddress", pageOps, `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, map[string]any{"aws:SourceIp": "198.51.100.1"}, true, false},
	{"NotIpAddress inside", pageOps, `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, map[string]any{"aws:SourceIp": "203.0.113.1"}, false, false},
	{"IpAddress missing (VPC endpoint)", pageOps, `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, nil, false, false},
	// ARN operators.
	{"ArnEquals", pageOps, `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"}}`, map[string]any{"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"}, true, false},
	{"ArnLike part by part", pageOps, `{"ArnLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}`, map[string]any{"aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"}, false, false},
	{"ArnLike wildcards", pageOps, `{"ArnLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}`, map[string]any{"aws:SourceArn": "arn:aws:someservice:us-east-2:111122223333:finance/document.txt"}, true, false},
	{"ArnEquals behaves like ArnLike", pageOps, `{"ArnEquals":{"ec2:SourceInstanceARN":"arn:aws:ec2:*:*:instance/i-*"}}`, map[string]any{"ec2:SourceInstanceARN": "arn:aws:ec2:us-east-1:123456789012:instance/i-1"}, true, false},
	{"ArnNotLike", pageOps, `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin"}}`, map[string]any{"aws:PrincipalArn": "arn:aws:iam::123456789012:role/dev"}, true, false},
	{"ArnNotEquals missing", pageOps, `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin"}}`, nil, true, false},
	{"ArnLike with variable", pageVars, `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::${aws:PrincipalTag/bucket}"}}`, map[string]any{"aws:SourceArn": "arn:aws:s3:::b1", "aws:PrincipalTag/bucket": "b1"}, true, false},
	{"ArnLike non-ARN value", pageOps, `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b1"}}`, map[string]any{"aws:SourceArn": "b1"}, false, false},
	// ...IfExists and Null.
	{"StringLikeIfExists missing", pageOps, `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}`, nil, true, false},
	{"StringLikeIfExists present", pageOps, `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}`, map[string]any{"ec2:InstanceType": "c5.large"}, false, false},
	{"StringNotEqualsIfExists missing", pageOps, `{"StringNotEqualsIfExists":{"aws:ResourceTag/env":"prod"}}`, nil, true, false},
	{"Null true absent", pageOps, `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true, false},
	{"Null true present", pageOps, `{"Null":{"aws:TokenIssueTime":"true"}}`, map[string]any{"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}, false, false},
	{"Null false present", pageOps, `{"Null":{"aws:TokenIssueTime":false}}`, map[string]any{"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}, true, false},
	{"Null empty string is present", pageOps, `{"Null":{"s3:prefix":"false"}}`, map[string]any{"s3:prefix": ""}, true, false},
	{"Null empty set is null", pageMulti, `{"Null":{"aws:TagKeys":"false"}}`, map[string]any{"aws:TagKeys": []string{}}, false, false},
	// Set operators.
	{"ForAllValues subset", pageMulti, `{"ForAllValues:StringLike":{"dynamodb:requestedAttributes":["PostDateTime","Message","Tags"]}}`, map[string]any{"dynamodb:requestedAttributes": []string{"PostDateTime", "Message"}}, true, false},
	{"ForAllValues not subset", pageMulti, `{"ForAllValues:StringLike":{"dynamodb:requestedAttributes":["PostDateTime","Message","Tags"]}}`, map[string]any{"dynamodb:requestedAttributes": []string{"PostDateTime", "UserName"}}, false, false},
	{"ForAllValues missing is true", pageMulti, `{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}`, nil, true, false},
	{"ForAllValues empty set is true", pageMulti, `{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}`, map[string]any{"aws:TagKeys": []string{}}, true, false},
	{"ForAnyValue intersect", pageMulti, `{"ForAnyValue:StringLike":{"dynamodb:requestedAttributes":["ID","PostDateTime"]}}`, map[string]any{"dynamodb:requestedAttributes": []string{"UserName", "Message", "PostDateTime"}}, true, false},
	{"ForAnyValue disjoint", pageMulti, `{"ForAnyValue:StringLike":{"dynamodb:requestedAttributes":["ID","PostDateTime"]}}`, map[string]any{"dynamodb:requestedAttributes": []string{"UserName"}}, false, false},
	{"ForAnyValue missing is false", pageMulti, `{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}`, nil, false, false},
	{"ForAnyValue empty set is false", pageMulti, `{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}`, map[string]any{"aws:TagKeys": []string{}}, false, false},
	{"ForAllValues negated", pageMulti, `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, map[string]any{"aws:TagKeys": []string{"c", "d"}}, true, false},
	{"ForAllValues negated one hit", pageMulti, `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, map[string]any{"aws:TagKeys": []string{"c", "a"}}, false, false},
	{"ForAnyValue negated", pageMulti, `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, map[string]any{"aws:TagKeys": []string{"a", "c"}}, true, false},
	{"ForAnyValue IfExists missing", pageMulti, `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"}}`, nil, true, false},
	{"set operator on single value", pageMulti, `{"ForAnyValue:StringEquals":{"aws:RequestTag/env":["dev","test"]}}`, map[string]any{"aws:RequestTag/env": "dev"}, true, false},
	{"bare operator, one value in a set", pageMulti, `{"StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}}`, map[string]any{"aws:CalledVia": []string{"athena.amazonaws.com"}}, true, false},
	{"bare operator, several values", pageMulti, `{"StringEquals":{"aws:CalledVia":"athena.amazonaws.com"}}`, map[string]any{"aws:CalledVia": []string{"athena.amazonaws.com", "glue.amazonaws.com"}}, false, false},
	{"bare negated operator, several values", pageMulti, `{"StringNotEquals":{"aws:TagKeys":"x"}}`, map[string]any{"aws:TagKeys": []string{"a", "b"}}, false, false},
	{"bare negated operator, empty set", pageMulti, `{"StringNotEquals":{"aws:TagKeys":"x"}}`, map[string]any{"aws:TagKeys": []string{}}, false, false},
	{"IfExists with empty set is evaluated", pageMulti, `{"StringEqualsIfExists":{"aws:TagKeys":"x"}}`, map[string]any{"aws:TagKeys": []string{}}, false, false},
	// Policy variables in conditions.
	{"variable in StringEquals", pageVars, `{"StringEquals":{"ec2:ResourceTag/VolumeUser":"${aws:username}"}}`, map[string]any{"ec2:ResourceTag/VolumeUser": "alice", "aws:username": "alice"}, true, false},
	{"variable missing", pageVars, `{"StringEquals":{"ec2:ResourceTag/VolumeUser":"${aws:username}"}}`, map[string]any{"ec2:ResourceTag/VolumeUser": "alice"}, false, false},
	{"variable missing negated", pageVars, `{"StringNotEquals":{"ec2:ResourceTag/VolumeUser":"${aws:username}"}}`, map[string]any{"ec2:ResourceTag/VolumeUser": "alice"}, false, false},
	{"variable default", pageVars, `{"StringEquals":{"aws:Resource":"arn:aws:s3:::/bucket/${aws:userid, 'anonymous'}"}}`, map[string]any{"aws:Resource": "arn:aws:s3:::/bucket/anonymous"}, true, false},
	{"variable default unused", pageVars, `{"StringEquals":{"aws:Resource":"bucket/${aws:userid, 'anonymous'}"}}`, map[string]any{"aws:Resource": "bucket/AIDA", "aws:userid": "AIDA"}, true, false},
	{"special variables", pageVars, `{"StringLike":{"s3:prefix":"a${*}b${?}c${$}*"}}`, map[string]any{"s3:prefix": "a*b?c$xyz"}, true, false},
	{"special variables are literal", pageVars, `{"StringLike":{"s3:prefix":"a${*}b"}}`, map[string]any{"s3:prefix": "axxb"}, false, false},
	{"variable value wildcards are literal", pageVars, `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, map[string]any{"s3:prefix": "home/bob/x", "aws:username": "*"}, false, false},
	{"variable case-insensitive key", pageVars, `{"StringEquals":{"k:v":"${AWS:UserName}"}}`, map[string]any{"k:v": "alice", "aws:username": "alice"}, true, false},
	{"variable IgnoreCase", pageVars, `{"StringEqualsIgnoreCase":{"k:v":"x-${aws:username}"}}`, map[string]any{"k:v": "X-ALICE", "aws:username": "alice"}, true, false},
	{"variables literal in 2008", pageVars, `{"StringEquals":{"k:v":"${aws:username}"}}`, map[string]any{"k:v": "${aws:username}", "aws:username": "alice"}, true, true},
	{"multivalued key is no variable", pageMulti, `{"StringEquals":{"k:v":"${aws:TagKeys}"}}`, map[string]any{"k:v": "a", "aws:TagKeys": []string{"a", "b"}}, false, false},
	{"unterminated variable is text", pageVars, `{"StringEquals":{"k:v":"${aws:username"}}`, map[string]any{"k:v": "${aws:username", "aws:username": "alice"}, true, false},
}

func TestConditions(t *testing.T) {
	t.Parallel()
	for _, c := range condCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			version := `"Version":"2012-10-17",`
			if c.v2008 {
				version = `"Version":"2008-10-17",`
			}
			doc := `{` + version + `"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":` + c.cond + `}}`
			p := mustParse(t, policy.Identity, doc)
			r := req(alice, "s3:GetObject", "arn:aws:s3:::b/k")
			for k, v := range c.ctx {
				switch v := v.(type) {
				case string:
					r.Context.Set(k, v)
				case []string:
					r.Context.SetMulti(k, v)
				}
			}
			d := policy.Evaluate(r, policy.PolicySet{Identity: []*policy.Policy{p}})
			if got := d.Effect == policy.Allow; got != c.want {
				t.Fatalf("[%s] condition %s with %v: applies = %v, want %v", c.page, c.cond, c.ctx, got, c.want)
			}
		})
	}
}

// Resource-element variables ("Policy variables": Resource element).
func TestResourceVariables(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, version, resource, target string
		ctx                             map[string]string
		want                            bool
	}{
		{"username in resource", "2012-10-17", "arn:aws:s3:::mybucket/${aws:username}/*", "arn:aws:s3:::mybucket/alice/f", map[string]string{"aws:username": "alice"}, true},
		{"other user's folder", "2012-10-17", "arn:aws:s3:::mybucket/${aws:username}/*", "arn:aws:s3:::mybucket/bob/f", map[string]string{"aws:username": "alice"}, false},
		{"missing variable does not match", "2012-10-17", "arn:aws:s3:::mybucket/${aws:username}/*", "arn:aws:s3:::mybucket//f", nil, false},
		{"tag variable", "2012-10-17", "arn:aws:s3:::bucket/${aws:PrincipalTag/department}", "arn:aws:s3:::bucket/hr", map[string]string{"aws:principaltag/DEPARTMENT": "hr"}, true},
		{"variable in account part", "2012-10-17", "arn:aws:sqs:us-east-2:${aws:PrincipalAccount}:${aws:username}-queue", "arn:aws:sqs:us-east-2:111122223333:alice-queue", map[string]string{"aws:username": "alice", "aws:PrincipalAccount": "111122223333"}, true},
		{"variable value with colon stays in its part", "2012-10-17", "arn:aws:sqs:us-east-2:${k:v}:q", "arn:aws:sqs:us-east-2:1:2:q", map[string]string{"k:v": "1:2"}, false},
		{"2008 keeps text", "2008-10-17", "arn:aws:s3:::mybucket/${aws:username}/*", "arn:aws:s3:::mybucket/${aws:username}/f", map[string]string{"aws:username": "alice"}, true},
		{"absent version keeps text", "", "arn:aws:s3:::mybucket/${aws:username}/*", "arn:aws:s3:::mybucket/alice/f", map[string]string{"aws:username": "alice"}, false},
		{"default value", "2012-10-17", "arn:aws:s3:::b/${aws:userid, 'anonymous'}/*", "arn:aws:s3:::b/anonymous/x", nil, true},
		{"special star", "2012-10-17", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", nil, true},
		{"special star is not a wildcard", "2012-10-17", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			version := ""
			if c.version != "" {
				version = `"Version":"` + c.version + `",`
			}
			doc := `{` + version + `"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"` + c.resource + `"}}`
			p := mustParse(t, policy.Identity, doc)
			r := req(alice, "s3:GetObject", c.target)
			for k, v := range c.ctx {
				r.Context.Set(k, v)
			}
			d := policy.Evaluate(r, policy.PolicySet{Identity: []*policy.Policy{p}})
			if got := d.Effect == policy.Allow; got != c.want {
				t.Fatalf("[%s] %s vs %s: %v, want %v", pageVars, c.resource, c.target, got, c.want)
			}
		})
	}
	// NotResource with an unresolvable variable: the statement is invalid.
	p := mustParse(t, policy.Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::home/${aws:username}/*"}]}`)
	d := policy.Evaluate(req(alice, "s3:GetObject", "arn:aws:s3:::other/x"), policy.PolicySet{Identity: []*policy.Policy{p}})
	if d.Effect != policy.Allow {
		t.Fatalf("NotResource with missing variable: %v", d)
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	var c policy.Context
	c.Set("aws:SourceIp", "203.0.113.7")
	c.SetMulti("aws:TagKeys", []string{"a", "b"})
	c.SetMulti("aws:Empty", nil)
	c.Set("AWS:SOURCEIP", "198.51.100.1") // replaces
	if c.Len() != 3 {
		t.Fatalf("Len = %d, keys %v", c.Len(), c.Keys())
	}
	v, ok := c.Lookup("aws:sourceip")
	if !ok || v.Multi() || v.Len() != 1 || v.At(0) != "198.51.100.1" {
		t.Fatalf("Lookup sourceip = %+v %v", v, ok)
	}
	v, ok = c.Lookup("aws:tagkeys")
	if !ok || !v.Multi() || v.Len() != 2 || v.At(1) != "b" {
		t.Fatalf("Lookup tagkeys = %+v %v", v, ok)
	}
	v, ok = c.Lookup("aws:empty")
	if !ok || v.Len() != 0 {
		t.Fatalf("empty set: %+v %v", v, ok)
	}
	if _, ok := c.Lookup("aws:missing"); ok {
		t.Fatal("missing key found")
	}
}
