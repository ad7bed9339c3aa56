package awsquery_test

import (
	"errors"
	"net/url"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/stsapi"
)

func form(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v[pairs[i]] = []string{pairs[i+1]}
	}
	return v
}

// TestDecodeForms decodes every encoding form of the Query protocol, as
// botocore's QuerySerializer and aws-sdk-go-v2 produce them.
func TestDecodeForms(t *testing.T) {
	t.Parallel()
	m := loadTestModel(t)
	for _, tc := range []struct {
		name   string
		params url.Values
		want   putIn
	}{
		{"scalars",
			form("Name", "n", "Count", "-42", "Big", "9007199254740993", "Ratio", "2.5", "Flag", "true"),
			putIn{Name: "n", Count: ptr(int32(-42)), Big: ptr(int64(9007199254740993)), Ratio: ptr(2.5), Flag: ptr(true)}},
		{"boolean false, any case",
			form("Name", "n", "Flag", "FALSE"),
			putIn{Name: "n", Flag: ptr(false)}},
		{"empty string is present, not absent",
			form("Name", ""),
			putIn{Name: ""}},
		{"timestamp ISO 8601",
			form("Name", "n", "When", "2013-06-22T19:55:05Z"),
			putIn{Name: "n", When: ptr(time.Date(2013, 6, 22, 19, 55, 5, 0, time.UTC))}},
		{"timestamp with milliseconds (aws-sdk-go-v2)",
			form("Name", "n", "When", "2013-06-22T19:55:05.123Z"),
			putIn{Name: "n", When: ptr(time.Date(2013, 6, 22, 19, 55, 5, 123e6, time.UTC))}},
		{"timestamp with offset",
			form("Name", "n", "When", "2013-06-22T21:55:05+02:00"),
			putIn{Name: "n", When: ptr(time.Date(2013, 6, 22, 19, 55, 5, 0, time.UTC))}},
		{"timestamp epoch seconds",
			form("Name", "n", "When", "1371930905"),
			putIn{Name: "n", When: ptr(time.Date(2013, 6, 22, 19, 55, 5, 0, time.UTC))}},
		{"timestamp fractional epoch seconds",
			form("Name", "n", "When", "1371930905.5"),
			putIn{Name: "n", When: ptr(time.Date(2013, 6, 22, 19, 55, 5, 5e8, time.UTC))}},
		{"blob base64",
			form("Name", "n", "Data", "aGVsbG8gd29ybGQ="),
			putIn{Name: "n", Data: []byte("hello world")}},
		{"list in index order whatever the parameter order",
			form("Name", "n", "Items.member.2", "b", "Items.member.1", "a", "Items.member.3", "c"),
			putIn{Name: "n", Items: []string{"a", "b", "c"}}},
		{"empty list marker",
			form("Name", "n", "Items", ""),
			putIn{Name: "n", Items: []string{}}},
		{"elements win over the empty list marker",
			form("Name", "n", "Items", "", "Items.member.1", "a"),
			putIn{Name: "n", Items: []string{"a"}}},
		{"flattened list",
			form("Name", "n", "Flat.1", "x", "Flat.2", "y"),
			putIn{Name: "n", Flat: []string{"x", "y"}}},
		{"member locationName",
			form("Name", "n", "OtherName", "r", "Renamed", "ignored"),
			putIn{Name: "n", Renamed: ptr("r")}},
		{"list member locationName",
			form("Name", "n", "Named.item.1", "i1", "Named.member.2", "ignored"),
			putIn{Name: "n", Named: []string{"i1"}}},
		{"flattened list with member locationName",
			form("Name", "n", "Entry.1", "e1", "Entry.2", "e2"),
			putIn{Name: "n", FlatNamed: []string{"e1", "e2"}}},
		{"map",
			form("Name", "n", "Attrs.entry.1.key", "k1", "Attrs.entry.1.value", "v1", "Attrs.entry.2.key", "k2", "Attrs.entry.2.value", ""),
			putIn{Name: "n", Attrs: map[string]string{"k1": "v1", "k2": ""}}},
		{"flattened map with key and value locationNames",
			form("Name", "n", "FlatAttrs.1.Name", "a", "FlatAttrs.1.Val", "7"),
			putIn{Name: "n", FlatAttrs: map[string]int32{"a": 7}}},
		{"nested structures",
			form("Name", "n", "Inner.Id", "i", "Inner.Deep.Leaf", "3"),
			putIn{Name: "n", Inner: &inner{Id: "i", Deep: &inner2{Leaf: ptr(int32(3))}}}},
		{"list of structures",
			form("Name", "n", "Inners.member.1.Id", "a", "Inners.member.2.Id", "b", "Inners.member.2.Deep.Leaf", "1"),
			putIn{Name: "n", Inners: []inner{{Id: "a"}, {Id: "b", Deep: &inner2{Leaf: ptr(int32(1))}}}}},
		{"unknown parameters ignored",
			form("Action", "Put", "Version", "2020-01-01", "X-Amz-Signature", "abc", "X-Amz-Credential", "AKID/x",
				"Name", "n", "Bogus", "1", "Items.bogus.1", "x", "Inner.Bogus", "y", "Name.Sub", "z", "name", "lower"),
			putIn{Name: "n"}},
		{"structure with only unknown members is absent",
			form("Name", "n", "Inner.Nope", "1"),
			putIn{Name: "n"}},
		{"list with a non-empty bare value is not a list",
			form("Name", "n", "Items", "x"),
			putIn{Name: "n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got putIn
			if err := m.Decode("Put", tc.params, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decoded\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}

// TestDecodeIAMForms decodes requests of the IAM and STS models in the
// form the SDKs send them.
func TestDecodeIAMForms(t *testing.T) {
	t.Parallel()
	t.Run("CreateUser with tags", func(t *testing.T) {
		var in iamapi.CreateUserRequest
		err := iamapi.Model().Decode("CreateUser", form("Action", "CreateUser", "Version", "2010-05-08",
			"UserName", "Bob", "Path", "/eng/", "PermissionsBoundary", "arn:aws:iam::aws:policy/PowerUserAccess",
			"Tags.member.1.Key", "team", "Tags.member.1.Value", "infra", "Tags.member.2.Key", "cost center", "Tags.member.2.Value", ""), &in)
		if err != nil {
			t.Fatal(err)
		}
		want := iamapi.CreateUserRequest{UserName: "Bob", Path: ptr("/eng/"), PermissionsBoundary: ptr("arn:aws:iam::aws:policy/PowerUserAccess"),
			Tags: []iamapi.Tag{{Key: "team", Value: "infra"}, {Key: "cost center", Value: ""}}}
		if !reflect.DeepEqual(in, want) {
			t.Fatalf("got %#v", in)
		}
	})
	t.Run("UpdateAccountPasswordPolicy integers and booleans", func(t *testing.T) {
		var in iamapi.UpdateAccountPasswordPolicyRequest
		err := iamapi.Model().Decode("UpdateAccountPasswordPolicy", form("MinimumPasswordLength", "12", "RequireSymbols", "true",
			"RequireNumbers", "false", "MaxPasswordAge", "90", "PasswordReusePrevention", "24"), &in)
		if err != nil {
			t.Fatal(err)
		}
		want := iamapi.UpdateAccountPasswordPolicyRequest{MinimumPasswordLength: ptr(int32(12)), RequireSymbols: ptr(true),
			RequireNumbers: ptr(false), MaxPasswordAge: ptr(int32(90)), PasswordReusePrevention: ptr(int32(24))}
		if !reflect.DeepEqual(in, want) {
			t.Fatalf("got %#v", in)
		}
	})
	t.Run("AssumeRole nested lists with lower-case member names", func(t *testing.T) {
		var in stsapi.AssumeRoleRequest
		err := stsapi.Model().Decode("AssumeRole", form("RoleArn", "arn:aws:iam::123456789012:role/demo", "RoleSessionName", "s1",
			"PolicyArns.member.1.arn", "arn:aws:iam::123456789012:policy/p1", "TransitiveTagKeys.member.1", "team",
			"DurationSeconds", "3600"), &in)
		if err != nil {
			t.Fatal(err)
		}
		want := stsapi.AssumeRoleRequest{RoleArn: "arn:aws:iam::123456789012:role/demo", RoleSessionName: "s1",
			PolicyArns:        []stsapi.PolicyDescriptorType{{Arn: ptr("arn:aws:iam::123456789012:policy/p1")}},
			TransitiveTagKeys: []string{"team"}, DurationSeconds: ptr(int32(3600))}
		if !reflect.DeepEqual(in, want) {
			t.Fatalf("got %#v", in)
		}
	})
	t.Run("operation without input", func(t *testing.T) {
		if err := iamapi.Model().Decode("GetAccountSummary", form("Junk", "1"), nil); err != nil {
			t.Fatal(err)
		}
	})
}

// TestValidationMessages checks each kind of constraint with the message
// AWS sends for it. Sources for the forms: the example
// ("1 validation error detected: Value 'x' at 'userName' failed to satisfy
// constraint: Member must have length less than or equal to 64"); AWS
// responses quoted in public issue trackers, e.g. Cognito's "2 validation
// errors detected: Value at 'username' failed to satisfy constraint: Member
// must have length greater than or equal to 1; Value at 'username' failed
// to satisfy constraint: Member must satisfy regular expression pattern:
// [\p{L}\p{M}\p{S}\p{N}\p{P}]+" (https://github.com/ks888/LambStatus/issues/6,
// a sensitive member: no value echoed), Lambda's "Value '[GET, POST,
// OPTIONS]' at 'cors.allowMethods' failed to satisfy constraint: Member
// must satisfy constraint: [Member must have length less than or equal to
// 6, Member must have length greater than or equal to 0, Member must
// satisfy regular expression pattern: .*, Member must not be null]" for a
// list of strings, and CloudFormation's "Member must satisfy regular
// expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*"
// (https://github.com/humanmade/cf-to-tf/issues/5).
func TestValidationMessages(t *testing.T) {
	t.Parallel()
	iam, sts := iamapi.Model(), stsapi.Model()
	long := strings.Repeat("a", 65)
	tagKeyPattern := `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	manyTags := form("UserName", "bob")
	for i := 1; i <= 51; i++ {
		manyTags.Set("Tags.member."+strconv.Itoa(i)+".Key", "k"+strconv.Itoa(i))
		manyTags.Set("Tags.member."+strconv.Itoa(i)+".Value", "v")
	}
	for _, tc := range []struct {
		name   string
		model  *awsquery.Model
		op     string
		params url.Values
		want   string
	}{
		{"required member missing", iam, "CreateUser", form(),
			"1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"},
		{"maximum length", iam, "CreateUser", form("UserName", long),
			"1 validation error detected: Value '" + long + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"pattern", iam, "CreateUser", form("UserName", "bob smith"),
			`1 validation error detected: Value 'bob smith' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"empty value breaks minimum length and pattern, in that order", iam, "CreateUser", form("UserName", ""),
			"2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				`Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"members in model order", iam, "CreateUser", form("UserName", "a b", "Path", "nope"),
			`2 validation errors detected: Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F); ` +
				`Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"enum", iam, "UpdateAccessKey", form("AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "Status", "Paused"),
			"1 validation error detected: Value 'Paused' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]"},
		{"integer below range", iam, "ListUsers", form("MaxItems", "0"),
			"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"integer above range", iam, "ListUsers", form("MaxItems", "1001"),
			"1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"nested member path", iam, "CreateUser", form("UserName", "bob", "Tags.member.1.Key", "ok", "Tags.member.1.Value", "v",
			"Tags.member.2.Key", "bad#key", "Tags.member.2.Value", "v"),
			"1 validation error detected: Value 'bad#key' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: " + tagKeyPattern},
		{"nested required member missing", iam, "CreateUser", form("UserName", "bob", "Tags.member.1.Key", "k"),
			"1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null"},
		{"list too long, then its elements", iam, "CreateUser", func() url.Values {
			v := url.Values{}
			for k, x := range manyTags {
				v[k] = x
			}
			v.Set("Tags.member.51.Key", "bad#")
			return v
		}(),
			"2 validation errors detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50; " +
				"Value 'bad#' at 'tags.51.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: " + tagKeyPattern},
		{"list of strings reports the list with all element constraints", iam, "UntagUser",
			form("UserName", "bob", "TagKeys.member.1", "ok", "TagKeys.member.2", "bad#", "TagKeys.member.3", ""),
			"1 validation error detected: Value '[ok, bad#, ]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: " +
				"[Member must have length less than or equal to 128, Member must have length greater than or equal to 1, " +
				"Member must satisfy regular expression pattern: " + tagKeyPattern + ", Member must not be null]"},
		{"required list missing", iam, "UntagUser", form("UserName", "bob"),
			"1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"},
		{"length counts characters, not bytes", iam, "CreateUser", form("UserName", "bob", "Tags.member.1.Key", "k",
			"Tags.member.1.Value", strings.Repeat("é", 257)),
			"1 validation error detected: Value '" + strings.Repeat("é", 257) + "' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"sensitive values are not echoed", iam, "CreateLoginProfile", form("UserName", "bob", "Password", ""),
			"2 validation errors detected: Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				`Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`},
		{"sensitive value outside its pattern", iam, "ChangePassword", form("OldPassword", "old", "NewPassword", "s3cret€"),
			`1 validation error detected: Value at 'newPassword' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`},
		{"STS range", sts, "AssumeRole", form("RoleArn", "arn:aws:iam::123456789012:role/demo", "RoleSessionName", "s1", "DurationSeconds", "100"),
			"1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"STS nested list of structures", sts, "AssumeRole", form("RoleArn", "arn:aws:iam::123456789012:role/demo", "RoleSessionName", "s1",
			"PolicyArns.member.1.arn", "short"),
			"1 validation error detected: Value 'short' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"STS member name with leading acronym, sensitive", sts, "AssumeRoleWithSAML", form("RoleArn", "arn:aws:iam::123456789012:role/demo",
			"PrincipalArn", "arn:aws:iam::123456789012:saml-provider/idp", "SAMLAssertion", "x"),
			"1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length greater than or equal to 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			types := iamapi.Operations[tc.op]
			if tc.model == sts {
				st := stsapi.Operations[tc.op]
				types = iamapi.OperationType{Input: st.Input, Output: st.Output}
			}
			dst := reflect.New(types.Input)
			err := tc.model.Decode(tc.op, tc.params, dst.Interface())
			e, ok := errors.AsType[*awsquery.Error](err)
			if !ok {
				t.Fatalf("Decode error = %v, want a ValidationError", err)
			}
			if e.Code != "ValidationError" || e.Status != 400 || !e.Sender {
				t.Errorf("error %s/%d/%v, want ValidationError/400/sender", e.Code, e.Status, e.Sender)
			}
			if e.Message != tc.want {
				t.Errorf("message\n%s\nwant\n%s", e.Message, tc.want)
			}
			if !dst.Elem().IsZero() {
				t.Error("Decode changed dst although it failed")
			}
		})
	}
}

// TestDecodeNeverEchoesSecrets checks every sensitive member of both
// models: whatever constraint its value breaks, the value stays out of the
// error message.
func TestDecodeNeverEchoesSecrets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		model  *awsquery.Model
		op     string
		typ    reflect.Type
		params url.Values
	}{
		{"CreateLoginProfile password too long", iamapi.Model(), "CreateLoginProfile", iamapi.Operations["CreateLoginProfile"].Input,
			form("UserName", "bob", "Password", "SECRET"+strings.Repeat("x", 200))},
		{"UpdateLoginProfile password bad characters", iamapi.Model(), "UpdateLoginProfile", iamapi.Operations["UpdateLoginProfile"].Input,
			form("UserName", "bob", "Password", "SECRET\x01")},
		{"UploadServerCertificate private key too long", iamapi.Model(), "UploadServerCertificate", iamapi.Operations["UploadServerCertificate"].Input,
			form("ServerCertificateName", "c", "CertificateBody", "b", "PrivateKey", "SECRET"+strings.Repeat("k", 20000))},
		{"AssumeRoleWithWebIdentity token too short", stsapi.Model(), "AssumeRoleWithWebIdentity", stsapi.Operations["AssumeRoleWithWebIdentity"].Input,
			form("RoleArn", "arn:aws:iam::123456789012:role/demo", "RoleSessionName", "s", "WebIdentityToken", "SECRE")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.model.Decode(tc.op, tc.params, reflect.New(tc.typ).Interface())
			if err == nil {
				t.Fatal("Decode accepted the value")
			}
			if strings.Contains(err.Error(), "SECRE") {
				t.Fatalf("error echoes the secret: %v", err)
			}
		})
	}
}

// TestDecodeBadInput checks values that are not of their type and list
// indexes that are not valid: InvalidParameterValue, never a panic, dst
// untouched.
func TestDecodeBadInput(t *testing.T) {
	t.Parallel()
	m := loadTestModel(t)
	for _, tc := range []struct {
		name   string
		params url.Values
		code   string
		msg    string
	}{
		{"integer not a number", form("Name", "n", "Count", "abc"), "InvalidParameterValue", "The value 'abc' at 'count' is not valid: it must be a 32-bit integer."},
		{"integer overflow", form("Name", "n", "Count", "2147483648"), "InvalidParameterValue", "it must be a 32-bit integer"},
		{"integer empty", form("Name", "n", "Count", ""), "InvalidParameterValue", "it must be a 32-bit integer"},
		{"boolean", form("Name", "n", "Flag", "yes"), "InvalidParameterValue", "it must be true or false"},
		{"timestamp", form("Name", "n", "When", "yesterday"), "InvalidParameterValue", "ISO 8601"},
		{"blob", form("Name", "n", "Data", "not base64!"), "InvalidParameterValue", "base64"},
		{"float", form("Name", "n", "Ratio", "1,5"), "InvalidParameterValue", "it must be a number"},
		{"nested integer", form("Name", "n", "Inners.member.1.Id", "a", "Inners.member.1.Deep.Leaf", "x"), "InvalidParameterValue", "at 'inners.1.member.deep.leaf'"},
		{"index zero", form("Name", "n", "Items.member.0", "a"), "InvalidParameterValue", "Items.member.0"},
		{"index with leading zero", form("Name", "n", "Items.member.01", "a"), "InvalidParameterValue", "Items.member.01"},
		{"index with sign", form("Name", "n", "Items.member.+1", "a"), "InvalidParameterValue", "Items.member.+1"},
		{"index not a number", form("Name", "n", "Items.member.x", "a"), "InvalidParameterValue", "Items.member.x"},
		{"index past the cap", form("Name", "n", "Items.member.999999999", "a"), "InvalidParameterValue", "Items.member.999999999"},
		{"index overflowing int", form("Name", "n", "Items.member.99999999999999999999999", "a"), "InvalidParameterValue", "numbered from 1"},
		{"gap in a list", form("Name", "n", "Items.member.1", "a", "Items.member.3", "c"), "InvalidParameterValue", "element 2 is missing"},
		{"list not starting at 1", form("Name", "n", "Items.member.2", "b"), "InvalidParameterValue", "element 1 is missing"},
		{"gap in a map", form("Name", "n", "Attrs.entry.2.key", "k", "Attrs.entry.2.value", "v"), "InvalidParameterValue", "element 1 is missing"},
		{"smallest bad index is reported", form("Name", "n", "Items.member.0", "a", "Flat.0", "b", "Inners.member.0.Id", "c"), "InvalidParameterValue", "parameter Flat.0:"},
		{"element naming nothing does not exist", form("Name", "n", "Inners.member.1.Bogus", "x", "Inners.member.2.Id", "b"), "InvalidParameterValue", "element 1 is missing"},
		{"map without key", form("Name", "n", "Attrs.entry.1.value", "v"), "ValidationError", "Value null at 'attrs'"},
		{"unknown operation", nil, "InvalidAction", "Could not find operation Nope for version 2020-01-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			op := "Put"
			if tc.params == nil {
				op = "Nope"
			}
			var dst putIn
			err := m.Decode(op, tc.params, &dst)
			e, ok := errors.AsType[*awsquery.Error](err)
			if !ok {
				t.Fatalf("Decode error = %v, want %s", err, tc.code)
			}
			if e.Code != tc.code || e.Status != 400 || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("error %s %d %q, want %s 400 containing %q", e.Code, e.Status, e.Message, tc.code, tc.msg)
			}
			if !reflect.ValueOf(dst).IsZero() {
				t.Error("Decode changed dst although it failed")
			}
		})
	}
}

func TestDecodeRejectsBadDestinations(t *testing.T) {
	t.Parallel()
	m := loadTestModel(t)
	var wrong struct{ Name int }
	for _, tc := range []struct {
		name   string
		dst    any
		params url.Values
	}{
		{"nil", nil, form("Name", "n")},
		{"not a pointer", putIn{}, form("Name", "n")},
		{"type without the members", &struct{ Name string }{}, form("Name", "n")},
		{"member of the wrong kind", &wrong, form("Name", "n")},
		{"a parameter with two values", &putIn{}, url.Values{"Name": {"a", "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := m.Decode("Put", tc.params, tc.dst); err == nil {
				t.Fatal("Decode accepted it")
			}
		})
	}
}

// TestDecodeHugeInputStaysBounded sends what an attacker would: a 10 MB
// value, a list index near the maximum int, and many distinct indexes.
// Memory must follow the size of the request, not the indexes in it.
func TestDecodeHugeInputStaysBounded(t *testing.T) {
	m := iamapi.Model()
	for _, tc := range []struct {
		name     string
		params   url.Values
		code     string
		maxBytes uint64
	}{
		{"10 MB user name", form("UserName", strings.Repeat("a", 10<<20)), "ValidationError", 64 << 20},
		{"index 999999999", form("UserName", "bob", "Tags.member.999999999.Key", "k", "Tags.member.999999999.Value", "v"), "InvalidParameterValue", 1 << 20},
		{"index MaxListIndex alone", form("UserName", "bob", "Tags.member."+strconv.Itoa(awsquery.MaxListIndex)+".Key", "k"), "InvalidParameterValue", 1 << 20},
		{"nested lists at the largest indexes", func() url.Values {
			v := form("PolicyInputList.member.1", "{}", "ActionNames.member.1", "s3:GetObject")
			for i := 0; i < 1000; i++ {
				v.Set("ContextEntries.member."+strconv.Itoa(awsquery.MaxListIndex-i)+".ContextKeyValues.member."+strconv.Itoa(awsquery.MaxListIndex-i), "x")
			}
			return v
		}(), "InvalidParameterValue", 8 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := "CreateUser"
			var dst any = &iamapi.CreateUserRequest{}
			if _, ok := tc.params["PolicyInputList.member.1"]; ok {
				op, dst = "SimulateCustomPolicy", &iamapi.SimulateCustomPolicyRequest{}
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := m.Decode(op, tc.params, dst)
			runtime.ReadMemStats(&after)
			e, ok := errors.AsType[*awsquery.Error](err)
			if !ok || e.Code != tc.code {
				t.Fatalf("Decode error = %v, want %s", err, tc.code)
			}
			if used := after.TotalAlloc - before.TotalAlloc; used > tc.maxBytes {
				t.Fatalf("Decode allocated %d bytes, more than %d", used, tc.maxBytes)
			}
		})
	}
}

func TestDecodeManyElements(t *testing.T) {
	t.Parallel()
	// SimulatePrincipalPolicy's action list has no limit in the model: a
	// long list in scrambled order decodes in index order.
	v := form("PolicySourceArn", "arn:aws:iam::123456789012:user/bob")
	const n = 3000
	for i := n; i >= 1; i-- {
		v.Set("ActionNames.member."+strconv.Itoa(i), "svc:Action"+strconv.Itoa(i))
	}
	var in iamapi.SimulatePrincipalPolicyRequest
	if err := iamapi.Model().Decode("SimulatePrincipalPolicy", v, &in); err != nil {
		t.Fatal(err)
	}
	if len(in.ActionNames) != n || in.ActionNames[0] != "svc:Action1" || in.ActionNames[n-1] != "svc:Action"+strconv.Itoa(n) {
		t.Fatalf("decoded %d actions: first %q", len(in.ActionNames), in.ActionNames[0])
	}
}
