package sts

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/saml"
	"github.com/iamd/iamd/policy"
)

const (
	testEntity   = "https://idp.example.com/saml"
	testRole     = "arn:aws:iam::123456789012:role/staff"
	testProvider = "arn:aws:iam::123456789012:saml-provider/Corp"
	signIn       = "https://signin.aws.amazon.com/saml"
)

// goodAssertion is a verified assertion that passes every rule at now.
func goodAssertion(now time.Time) *saml.Assertion {
	return &saml.Assertion{
		Issuer:       testEntity,
		IssueInstant: now.Add(-time.Minute),
		Subject:      saml.NameID{Value: "alice", Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"},
		Confirmations: []saml.Confirmation{{Method: saml.MethodBearer, Recipient: signIn,
			NotOnOrAfter: now.Add(4 * time.Minute)}},
		NotBefore:            now.Add(-2 * time.Minute),
		NotOnOrAfter:         now.Add(4 * time.Minute),
		AudienceRestrictions: [][]string{{signIn}},
		Attributes: []saml.Attribute{
			{Name: samlAttrRole, Values: []string{testRole + "," + testProvider}},
			{Name: samlAttrRoleSessionName, Values: []string{"alice"}},
		},
	}
}

func TestCheckAssertion(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ref, err := parseRoleARN(testRole)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mod  func(a *saml.Assertion)
		code string // "" accepted
		msg  string
	}{
		{name: "accepted", mod: func(*saml.Assertion) {}},
		{name: "provider then role in the pair", mod: func(a *saml.Assertion) {
			a.Attributes[0].Values = []string{"arn:aws:iam::123456789012:role/x," + testProvider, testProvider + " , " + testRole}
		}},
		{name: "urn:amazon:webservices audience", mod: func(a *saml.Assertion) { a.AudienceRestrictions = [][]string{{"urn:amazon:webservices"}} }},
		{name: "expired within the skew", mod: func(a *saml.Assertion) { a.Confirmations[0].NotOnOrAfter = now.Add(-30 * time.Second) }},
		{name: "issuer of another entity", mod: func(a *saml.Assertion) { a.Issuer = "https://else" }, code: "InvalidIdentityToken", msg: msgSAMLIssuer},
		{name: "no bearer confirmation", mod: func(a *saml.Assertion) { a.Confirmations[0].Method = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key" },
			code: "InvalidIdentityToken"},
		{name: "two bearer confirmations", mod: func(a *saml.Assertion) { a.Confirmations = append(a.Confirmations, a.Confirmations[0]) },
			code: "InvalidIdentityToken"},
		{name: "confirmation without NotOnOrAfter", mod: func(a *saml.Assertion) { a.Confirmations[0].NotOnOrAfter = time.Time{} },
			code: "InvalidIdentityToken"},
		{name: "recipient elsewhere", mod: func(a *saml.Assertion) { a.Confirmations[0].Recipient = "https://signin.aws.amazon.com.evil.com/saml" },
			code: "InvalidIdentityToken"},
		{name: "recipient of another partition", mod: func(a *saml.Assertion) { a.Confirmations[0].Recipient = "https://signin.amazonaws.cn/saml" },
			code: "InvalidIdentityToken"},
		{name: "no audience restriction", mod: func(a *saml.Assertion) { a.AudienceRestrictions = nil }, code: "InvalidIdentityToken"},
		{name: "a second restriction without AWS", mod: func(a *saml.Assertion) {
			a.AudienceRestrictions = append(a.AudienceRestrictions, []string{"https://app.example.com"})
		}, code: "InvalidIdentityToken"},
		{name: "confirmation expired", mod: func(a *saml.Assertion) { a.Confirmations[0].NotOnOrAfter = now.Add(-2 * time.Minute) },
			code: "ExpiredTokenException"},
		{name: "conditions expired", mod: func(a *saml.Assertion) { a.NotOnOrAfter = now.Add(-2 * time.Minute) }, code: "ExpiredTokenException"},
		{name: "issued more than five minutes ago", mod: func(a *saml.Assertion) {
			a.IssueInstant = now.Add(-7 * time.Minute)
		}, code: "ExpiredTokenException", msg: msgSAMLRedeemed},
		{name: "not valid yet", mod: func(a *saml.Assertion) { a.NotBefore = now.Add(3 * time.Minute) }, code: "InvalidIdentityToken"},
		{name: "issued in the future", mod: func(a *saml.Assertion) { a.IssueInstant = now.Add(3 * time.Minute) }, code: "InvalidIdentityToken"},
		{name: "no NameID", mod: func(a *saml.Assertion) { a.Subject.Value = "" }, code: "AccessDenied"},
		{name: "role not paired with the provider", mod: func(a *saml.Assertion) {
			a.Attributes[0].Values = []string{testRole + ",arn:aws:iam::123456789012:saml-provider/Other"}
		}, code: "AccessDenied", msg: "Not authorized to perform sts:AssumeRoleWithSAML"},
		{name: "no Role attribute", mod: func(a *saml.Assertion) { a.Attributes = a.Attributes[1:] }, code: "AccessDenied"},
		{name: "no RoleSessionName", mod: func(a *saml.Assertion) { a.Attributes = a.Attributes[:1] }, code: "InvalidIdentityToken", msg: msgSAMLNoSessionName},
		{name: "RoleSessionName too short", mod: func(a *saml.Assertion) { a.Attributes[1].Values = []string{"a"} }, code: "InvalidIdentityToken", msg: msgSAMLBadSessionName},
		{name: "source identity with aws: prefix", mod: func(a *saml.Assertion) {
			a.Attributes = append(a.Attributes, saml.Attribute{Name: samlAttrSourceIdentity, Values: []string{"aws:root"}})
		}, code: "InvalidIdentityToken", msg: msgSourceIdentity},
		{name: "SessionDuration too long", mod: func(a *saml.Assertion) {
			a.Attributes = append(a.Attributes, saml.Attribute{Name: samlAttrSessionDuration, Values: []string{"43201"}})
		}, code: "InvalidIdentityToken"},
		{name: "SessionDuration not a number", mod: func(a *saml.Assertion) {
			a.Attributes = append(a.Attributes, saml.Attribute{Name: samlAttrSessionDuration, Values: []string{"1h"}})
		}, code: "InvalidIdentityToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := goodAssertion(now)
			tc.mod(a)
			claims, err := checkAssertion(a, testEntity, ref, testProvider, now)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if claims.sessionName != "alice" || claims.recipient != signIn {
					t.Errorf("claims %+v", claims)
				}
				return
			}
			we, ok := err.(*awsquery.Error)
			if !ok || we.Code != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if tc.msg != "" && we.Message != tc.msg {
				t.Errorf("message %q, want %q", we.Message, tc.msg)
			}
		})
	}
}

func TestSAMLSessionDuration(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	i32 := func(n int32) *int32 { return &n }
	tests := []struct {
		name      string
		requested *int32
		attr      int
		end       time.Time
		want      int32
		expired   bool
	}{
		{name: "default hour", want: 3600},
		{name: "requested", requested: i32(7200), want: 7200},
		{name: "SessionDuration shortens", requested: i32(7200), attr: 1800, want: 1800},
		{name: "SessionDuration never lengthens", attr: 43200, want: 3600},
		{name: "SessionNotOnOrAfter shortens", end: now.Add(20 * time.Minute), want: 1200},
		{name: "SessionNotOnOrAfter too close", end: now.Add(5 * time.Minute), expired: true},
		{name: "SessionNotOnOrAfter far off", end: now.Add(10 * time.Hour), want: 3600},
	}
	for _, tc := range tests {
		sc := &samlClaims{sessionSeconds: tc.attr, sessionEnd: tc.end}
		got, err := sc.duration(tc.requested, now)
		if tc.expired {
			if we, ok := err.(*awsquery.Error); !ok || we.Code != "ExpiredTokenException" {
				t.Errorf("%s: err = %v", tc.name, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}

func TestSignInEndpoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, partition string
		want           bool
	}{
		{"https://signin.aws.amazon.com/saml", "aws", true},
		{"https://us-east-2.signin.aws.amazon.com/saml", "aws", true},
		{"https://ap-southeast-1.signin.aws.amazon.com/saml", "aws", true},
		{"https://signin.amazonaws.cn/saml", "aws-cn", true},
		{"https://cn-north-1.signin.amazonaws.cn/saml", "aws-cn", true},
		{"https://signin.amazonaws-us-gov.com/saml", "aws-us-gov", true},
		{"http://signin.aws.amazon.com/saml", "aws", false},
		{"https://signin.aws.amazon.com/saml/", "aws", false},
		{"https://signin.aws.amazon.com/other", "aws", false},
		{"https://evil.com/.signin.aws.amazon.com/saml", "aws", false},
		{"https://evil.signin.aws.amazon.com/saml", "aws", false},
		{"https://signin.amazonaws.cn/saml", "aws", false},
		{"https://signin.aws.amazon.com/saml", "aws-iso", false},
	}
	for _, tc := range tests {
		if got := awsSignInEndpoint(tc.url, tc.partition); got != tc.want {
			t.Errorf("awsSignInEndpoint(%q, %s) = %v", tc.url, tc.partition, got)
		}
	}
	for aud, want := range map[string]bool{"urn:amazon:webservices": true, signIn: true, "urn:amazon:webservices:govcloud": false, "urn:amazon": false} {
		if got := awsAudience(aud, "aws"); got != want {
			t.Errorf("awsAudience(%q) = %v", aud, got)
		}
	}
}

func TestSAMLSubjectTypeAndNameQualifier(t *testing.T) {
	t.Parallel()
	for format, want := range map[string]string{
		"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent":   "persistent",
		"urn:oasis:names:tc:SAML:2.0:nameid-format:transient":    "transient",
		"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
		"": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
	} {
		if got := samlSubjectType(format); got != want {
			t.Errorf("samlSubjectType(%q) = %q", format, got)
		}
	}
	// The IAM User Guide's example: Base64(SHA1("https://example.com/saml"
	// + "123456789012" + "/MySAMLIdP")).
	sum := sha1.Sum([]byte("https://example.com/saml123456789012/MySAMLIdP"))
	if got, want := samlNameQualifier("https://example.com/saml", "123456789012", "MySAMLIdP"), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("samlNameQualifier = %s, want %s", got, want)
	}
}

func TestSAMLKeys(t *testing.T) {
	t.Parallel()
	a := goodAssertion(time.Now())
	a.Attributes = append(a.Attributes,
		saml.Attribute{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.1", Values: []string{"staff", "member"}},
		saml.Attribute{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.6", Values: []string{"alice@example.edu", "ignored"}},
		saml.Attribute{Name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", Values: []string{"alice@example.com"}},
		saml.Attribute{Name: "0.9.2342.19200300.100.1.3", Values: []string{"second-mail@example.com"}},
		saml.Attribute{Name: "urn:oid:2.5.4.3", Values: []string{"Alice"}},
		saml.Attribute{Name: "https://example.com/not-mapped", Values: []string{"x"}},
	)
	var ctx policy.Context
	samlKeys(&ctx, a, signIn, "qualifier", "123456789012/Corp")
	tests := []struct {
		key   string
		want  string
		multi bool
	}{
		{"saml:aud", signIn, false},
		{"saml:iss", testEntity, false},
		{"saml:sub", "alice", false},
		{"saml:sub_type", "persistent", false},
		{"saml:namequalifier", "qualifier", false},
		{"saml:doc", "123456789012/Corp", false},
		{"saml:edupersonaffiliation", "staff,member", true},
		{"saml:edupersonprincipalname", "alice@example.edu", false},
		{"saml:mail", "alice@example.com", false},
		{"saml:cn", "Alice", true},
	}
	for _, tc := range tests {
		got, multi, ok := values(&ctx, tc.key)
		if !ok || strings.Join(got, ",") != tc.want || multi != tc.multi {
			t.Errorf("%s = %v (multi %v, present %v), want %s (multi %v)", tc.key, got, multi, ok, tc.want, tc.multi)
		}
	}
	for _, k := range ctx.Keys() {
		if strings.Contains(k, "not-mapped") || k == "saml:x" {
			t.Errorf("unmapped attribute reached the context as %s", k)
		}
	}
}
