package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/iamd/iamd/policy"
)

// validationCase: a document, the kind, and the message IAM answers ("" for
// a valid document). Pages: "Grammar of the IAM JSON policy language"
// (reference_policies_grammar), "IAM JSON policy elements reference"
// (reference_policies_elements_*), "Troubleshooting IAM policies"
// (troubleshoot_policies); the exact messages are those IAM's API returns
// for these documents (as recorded against AWS by moto's IAM test suite).
type validationCase struct {
	name string
	kind policy.Kind
	doc  string
	want string
}

// orgMsg is the one message Organizations gives for a malformed SCP or RCP.
const orgMsg = "The provided policy document does not meet the requirements of the specified policy type."

const okStmt = `{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}`

var validationCases = []validationCase{
	// reference_policies_grammar: the document is a JSON object.
	{"not json", policy.Identity, `This is not a json document`, "Syntax errors in policy."},
	{"trailing garbage", policy.Identity, `{"Version":"2012-10-17","Statement":` + okStmt + `} x`, "Syntax errors in policy."},
	{"array document", policy.Identity, `[` + okStmt + `]`, "Syntax errors in policy."},
	// reference_policies_elements_version
	{"version absent inline", policy.Identity, `{"Statement":` + okStmt + `}`, ""},
	{"version 2008 inline", policy.Identity, `{"Version":"2008-10-17","Statement":` + okStmt + `}`, ""},
	{"version absent managed", policy.Managed, `{"Statement":` + okStmt + `}`, "Policy document must be version 2012-10-17 or greater."},
	{"version 2008 managed", policy.Managed, `{"Version":"2008-10-17","Statement":` + okStmt + `}`, "Policy document must be version 2012-10-17 or greater."},
	{"version unknown", policy.Identity, `{"Version":"2013-10-17","Statement":` + okStmt + `}`, "Syntax errors in policy."},
	{"version number", policy.Identity, `{"Version":2012,"Statement":` + okStmt + `}`, "Syntax errors in policy."},
	{"scp needs version", policy.SCP, `{"Statement":` + okStmt + `}`, orgMsg},
	{"trust invalid json", policy.Trust, `{"Version":`, "This policy contains invalid Json"},
	{"resource invalid json", policy.Resource, `nope`, "This policy contains invalid Json"},
	// reference_policies_elements_statement
	{"no statement", policy.Identity, `{"Version":"2012-10-17"}`, "Syntax errors in policy."},
	{"empty statement list", policy.Identity, `{"Version":"2012-10-17","Statement":[]}`, "Syntax errors in policy."},
	{"statement string", policy.Identity, `{"Version":"2012-10-17","Statement":["afd"]}`, "Syntax errors in policy."},
	{"statement object", policy.Identity, `{"Version":"2012-10-17","Statement":` + okStmt + `}`, ""},
	{"statement array", policy.Identity, `{"Version":"2012-10-17","Statement":[` + okStmt + `]}`, ""},
	{"unknown top element", policy.Identity, `{"Version":"2012-10-17","Statement":` + okStmt + `,"Extra field":"value"}`, "Syntax errors in policy."},
	{"unknown statement element", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Extra":"v"}}`, "Syntax errors in policy."},
	{"duplicate member", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:ListBucket","Resource":"*"}}`, "Syntax errors in policy."},
	// reference_policies_elements_id
	{"id string", policy.Identity, `{"Version":"2012-10-17","Id":"x","Statement":` + okStmt + `}`, ""},
	{"id array", policy.Identity, `{"Version":"2012-10-17","Id":["x"],"Statement":` + okStmt + `}`, "Syntax errors in policy."},
	{"id object", policy.Identity, `{"Version":"2012-10-17","Id":{},"Statement":` + okStmt + `}`, "Syntax errors in policy."},
	// reference_policies_elements_effect
	{"effect invalid", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"invalid","Action":"s3:ListBucket","Resource":"*"}}`, "Syntax errors in policy."},
	{"effect missing", policy.Identity, `{"Version":"2012-10-17","Statement":{"Action":"s3:ListBucket","Resource":"*"}}`, "Syntax errors in policy."},
	{"effect wrong case", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"denY","Action":"s3:ListBucket","Resource":"*"}}`, "The policy failed legacy parsing"},
	{"effect empty", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"","Action":"s3:ListBucket","Resource":"*"}}`, "Syntax errors in policy."},
	// reference_policies_elements_action
	{"action without vendor", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"invalid","Resource":"*"}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
	{"empty notaction", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"","Resource":"*"}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
	{"vendor with space", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a a:ListBucket","Resource":"*"}}`, "Vendor a a is not valid"},
	{"two colons", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:List:Bucket","Resource":"*"}}`, "Actions/Condition can contain only one colon."},
	{"action star", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, ""},
	{"action vendor dash and dot", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3-s:ListBucket","s3.s:ListBucket"],"Resource":"*"}}`, ""},
	{"action name with spaces", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam: asdf safdsf af ","Resource":"*"}}`, ""},
	{"no action", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`, "Policy statement must contain actions."},
	{"empty action list", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, "Policy statement must contain actions."},
	{"action and notaction", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:dsf","NotAction":"s3:ListBucket","Resource":"*"}}`, "Syntax errors in policy."},
	{"action object", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":{},"Resource":"*"}}`, "Syntax errors in policy."},
	{"action nested list", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":[[]],"Resource":"*"}}`, "Syntax errors in policy."},
	{"action number", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":1,"Resource":"*"}}`, "Syntax errors in policy."},
	// reference_policies_elements_resource
	{"resource not arn", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"invalid resource"}}`, `Resource invalid resource must be in ARN format or "*".`},
	{"resource empty", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":""}}`, `Resource  must be in ARN format or "*".`},
	{"resource before action errors", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s:3:ListBucket","Resource":"sdfsadf"}}`, `Resource sdfsadf must be in ARN format or "*".`},
	{"partition invalid short", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:bsdfdsafsad"}}`, `Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".`},
	{"partition invalid", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:cadfsdf"}}`, `Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".`},
	{"partition invalid long", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:c:d:e:f:g:h"}}`, `Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".`},
	{"arn prefix missing", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"aws:s3:::example_bucket"}}`, `Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".`},
	{"partition error first in reverse order", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:error:s3:::example_bucket","arn:error:s3::example_bucket"]}}`, `Partition "error" is not valid for resource "arn:error:s3:::example_bucket".`},
	{"other partitions", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws-cn:s3:::b","arn:aws-us-gov:s3:::b","arn:*:s3:::b"]}}`, ""},
	{"no resource", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket"}}`, "Policy statement must contain resources."},
	{"empty resource list", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":[]}}`, "Policy statement must contain resources."},
	{"vendor error before missing resource", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"invalid"}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
	{"resource and notresource", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","NotResource":"*"}}`, "Syntax errors in policy."},
	{"iam path", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::example_bucket"}}`, `IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`},
	{"iam user ok", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::user/example_bucket"}}`, ""},
	{"legacy double colon", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3::example_bucket"}}`, "The policy failed legacy parsing"},
	{"legacy before missing actions", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:s3::example_bucket"}}`, "The policy failed legacy parsing"},
	{"legacy empty service", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws::fdsasf"}}`, "The policy failed legacy parsing"},
	{"vendor not qualified", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws"}}`, "Resource vendor must be fully qualified and cannot contain regexes."},
	{"short resource accepted", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:fdsasf"}}`, ""},
	{"iam region", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:us-east-1::example_bucket"}}`, "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
	{"s3 bucket region", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:us-east-1::example_bucket"}}`, "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
	{"s3 access point region", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap"}}`, ""},
	{"other service region", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:ec2:us-east-1::example_bucket"}}`, ""},
	{"resource object", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":{"a":"b"}}}`, "Syntax errors in policy."},
	{"resource list with object", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:ListBucket","Resource":["adfdf",{}]}}`, "Syntax errors in policy."},
	{"variable in resource", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/${aws:username}"}}`, ""},
	// reference_policies_elements_sid
	{"duplicate sid", policy.Identity, `{"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`, "Statement IDs (SID) in a single policy must be unique."},
	{"version before sid", policy.Managed, `{"Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},{"Sid":"sdf","Effect":"Allow"}]}`, "Policy document must be version 2012-10-17 or greater."},
	{"legacy before sid", policy.Identity, `{"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"aLLow","Action":"s3:ListBucket","Resource":"*"},{"Sid":"sdf","Effect":"Allow"}]}`, "The policy failed legacy parsing"},
	{"empty sids repeat", policy.Trust, `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},{"Sid":"","Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ""},
	{"sid object", policy.Identity, `{"Version":"2012-10-17","Statement":{"Sid":{},"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`, "Syntax errors in policy."},
	{"sid not alphanumeric", policy.Identity, `{"Version":"2012-10-17","Statement":{"Sid":"Allow-S3","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"},
	{"resource policy sid with spaces", policy.Resource, `{"Version":"2012-10-17","Statement":{"Sid":"Allow read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, ""},
	// reference_policies_elements_condition and condition operators
	{"condition empty", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{}}}`, ""},
	{"condition list", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":[]}}`, "Syntax errors in policy."},
	{"condition string", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":"a"}}`, "Syntax errors in policy."},
	{"unknown operator with keys", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"x":{"a":"1"}}}}`, "Syntax errors in policy."},
	{"unknown operator empty", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"x":{},"y":{}}}}`, ""},
	{"operator case matters", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"stringequals":{"a":"1"}}}}`, "Syntax errors in policy."},
	{"double colon prefix", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}}}`, "Syntax errors in policy."},
	{"operator value string", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":"b"}}}`, "Syntax errors in policy."},
	{"condition key object value", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"a":{}}}}}`, "Syntax errors in policy."},
	{"condition null value", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"a":null}}}}`, "Syntax errors in policy."},
	{"condition empty values", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"a":[]}}}}`, ""},
	{"condition numbers and bools", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}}`, ""},
	{"all set and ifexists forms", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEqualsIfExists":{"a":"asf"},"ForAnyValue:StringEqualsIfExists":{"b":"c"},"ForAllValues:StringLike":{"aws:TagKeys":"x*"}}}}`, ""},
	{"date invalid", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}}`, "The policy failed legacy parsing"},
	{"date month 13", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateLessThanEquals":{"a":"234-13"}}}}`, "The policy failed legacy parsing"},
	{"date zone hour digit", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+1"}}}}`, "The policy failed legacy parsing"},
	{"date fraction too long", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.1999999999+10:59"}}}}`, "The policy failed legacy parsing"},
	{"epoch overflow", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateLessThan":{"a":"9223372036854775808"}}}}`, "The policy failed legacy parsing"},
	{"dates accepted", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"a":["01T","2019-07-01T13:20:15Z","2016-12-13T21:20:37.593194+00:00","2016-12-13t2:00:00.593194+23","-292275054","1700000000"]}}}}`, ""},
	// reference_policies_elements_principal and _notprincipal
	{"principal in identity policy", policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"*"}}`, "Policy document should not specify a principal."},
	{"notprincipal in boundary", policy.Boundary, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}}`, "Policy document should not specify a principal."},
	{"principal in scp", policy.SCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, orgMsg},
	{"resource policy without principal", policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Missing required field Principal"},
	{"resource policy principals", policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:user/a","arn:aws:iam::123456789012:role/p/r","arn:aws:sts::123456789012:assumed-role/r/s","arn:aws:sts::123456789012:federated-user/f"],"Service":"ec2.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, ""},
	{"principal partial wildcard", policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/*"`},
	{"principal group", policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:group/g"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:group/g"`},
	{"principal string other than star", policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"123456789012","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, `Invalid principal in policy: "AWS":"123456789012"`},
	{"principal unknown type", policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Group":"x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Syntax errors in policy."},
	{"principal empty object", policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Syntax errors in policy."},
	{"principal and notprincipal", policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","NotPrincipal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Syntax errors in policy."},
	{"notprincipal deny resource", policy.Resource, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::444455556666:user/Bob","arn:aws:iam::444455556666:root"]},"Action":"s3:*","Resource":["arn:aws:s3:::BUCKETNAME","arn:aws:s3:::BUCKETNAME/*"]}}`, ""},
	// id_roles_create (trust policies): no Resource, a Principal, STS actions.
	{"trust ok", policy.Trust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`, ""},
	{"trust 2008", policy.Trust, `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","sts:TagSession"]}}`, ""},
	{"trust with resource", policy.Trust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}`, "Has prohibited field Resource"},
	{"trust without principal", policy.Trust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, "Missing required field Principal"},
	{"trust notprincipal", policy.Trust, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}}`, "Has prohibited field NotPrincipal"},
	{"trust other action", policy.Trust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}}`, "AssumeRole policy may only specify STS AssumeRole actions."},
	{"trust federated", policy.Trust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}}`, ""},
	// Organizations guide: "SCP syntax", "RCP syntax".
	{"scp full", policy.SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`, ""},
	{"rcp full access", policy.RCP, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, ""},
	{"rcp deny", policy.RCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}}`, ""},
	{"rcp allow narrow", policy.RCP, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, orgMsg},
	{"rcp principal", policy.RCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}}`, orgMsg},
	{"rcp notaction", policy.RCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":"*"}}`, orgMsg},
	{"rcp no principal", policy.RCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`, orgMsg},
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, c := range validationCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			findings := policy.Validate([]byte(c.doc), c.kind)
			p, err := policy.Parse([]byte(c.doc), c.kind)
			if c.want == "" {
				if len(findings) != 0 || err != nil {
					t.Fatalf("valid document rejected: %v %v", findings, err)
				}
				if p == nil || p.Kind() != c.kind {
					t.Fatalf("Parse returned %v", p)
				}
				return
			}
			if len(findings) == 0 {
				t.Fatalf("invalid document accepted; want %q", c.want)
			}
			if findings[0].Message != c.want {
				t.Fatalf("first finding %q (all: %v), want %q", findings[0].Message, findings, c.want)
			}
			var pe *policy.Error
			if !errors.As(err, &pe) || pe.Message != c.want || !errors.Is(err, policy.ErrMalformedPolicy) || pe.Code() != "MalformedPolicyDocument" {
				t.Fatalf("Parse error %v, want %q", err, c.want)
			}
			if p != nil {
				t.Fatal("Parse returned a policy with an error")
			}
		})
	}
}

// TestValidateReportsEveryFinding: Validate returns all problems with their
// JSON paths, not only the first.
func TestValidateReportsEveryFinding(t *testing.T) {
	t.Parallel()
	doc := `{"Version":"2012-10-17","Statement":[
		{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
		{"Sid":"A","Effect":"Allow","Action":"invalid","Resource":"bad"},
		{"Effect":"Allow","Action":"s3:GetObject"}]}`
	findings := policy.Validate([]byte(doc), policy.Identity)
	want := []struct{ path, msg string }{
		{"Statement[1].Sid", "Statement IDs (SID) in a single policy must be unique."},
		{"Statement[1].Resource", `Resource bad must be in ARN format or "*".`},
		{"Statement[1].Action", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"Statement[2]", "Policy statement must contain resources."},
	}
	if len(findings) != len(want) {
		t.Fatalf("got %d findings: %v", len(findings), findings)
	}
	for i, w := range want {
		if findings[i].Path != w.path || findings[i].Message != w.msg {
			t.Errorf("finding %d = %q %q, want %q %q", i, findings[i].Path, findings[i].Message, w.path, w.msg)
		}
		if findings[i].Offset <= 0 || findings[i].Offset >= len(doc) {
			t.Errorf("finding %d offset %d", i, findings[i].Offset)
		}
	}
	cond := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:prefix":{}}}}]}`
	f := policy.Validate([]byte(cond), policy.Identity)
	if len(f) != 1 || f[0].Path != "Statement[1].Condition.StringLike.s3:prefix" {
		t.Fatalf("condition finding path: %v", f)
	}
	syntax := policy.Validate([]byte(`{"Version":"2012-10-17",`), policy.Identity)
	if len(syntax) != 1 || syntax[0].Message != "Syntax errors in policy." || syntax[0].Offset != 24 {
		t.Fatalf("syntax finding %v", syntax)
	}
}

func TestKindNames(t *testing.T) {
	t.Parallel()
	for _, k := range []policy.Kind{policy.Identity, policy.Managed, policy.Session, policy.Boundary, policy.Resource, policy.Trust, policy.SCP, policy.RCP} {
		got, ok := policy.ParseKind(k.String())
		if !ok || got != k {
			t.Errorf("ParseKind(%q) = %v %v", k.String(), got, ok)
		}
	}
	if _, ok := policy.ParseKind("bogus"); ok {
		t.Error("ParseKind accepted bogus")
	}
	if (policy.Kind{}).String() != "invalid" {
		t.Error("zero Kind name")
	}
	if _, err := policy.Parse([]byte(`{}`), policy.Kind{}); err == nil {
		t.Error("zero Kind parsed")
	}
}

// TestSize follows "IAM and AWS STS quotas": IAM does not count whitespace;
// managed policies 6,144, inline user 2,048, group 5,120, role 10,240
// characters; a role trust policy 2,048 by default.
func TestSize(t *testing.T) {
	t.Parallel()
	doc := []byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:Get Object\", \"Resource\": \"*\"}\n}")
	compact := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get Object","Resource":"*"}}`
	if got := policy.Size(doc); got != len(compact) {
		t.Fatalf("Size = %d, want %d", got, len(compact))
	}
	big := []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 6100) + `"}}`)
	cases := []struct {
		name  string
		limit policy.SizeLimit
		docs  [][]byte
		want  string
	}{
		{"managed over", policy.ManagedLimit, [][]byte{big}, "Cannot exceed quota for PolicySize: 6144"},
		{"role inline fits", policy.RoleInlineLimit, [][]byte{big}, ""},
		{"role inline sum over", policy.RoleInlineLimit, [][]byte{big, big}, "Maximum policy size of 10240 bytes exceeded for role app"},
		{"user inline over", policy.UserInlineLimit, [][]byte{big}, "Maximum policy size of 2048 bytes exceeded for user app"},
		{"group inline over", policy.GroupInlineLimit, [][]byte{big}, "Maximum policy size of 5120 bytes exceeded for group app"},
		{"trust over", policy.TrustPolicyLimit, [][]byte{big}, "Cannot exceed quota for ACLSizePerRole: 2048"},
		{"small fits", policy.UserInlineLimit, [][]byte{doc}, ""},
	}
	for _, c := range cases {
		err := policy.CheckSize(c.limit, "app", c.docs...)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var se *policy.SizeError
		if !errors.As(err, &se) || se.Error() != c.want || se.Code() != "LimitExceeded" {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
