package sts

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/stsapi"
)

func i32(v int32) *int32 { return &v }

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var we *awsquery.Error
	if !errors.As(err, &we) || we.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func TestRoleSessionDuration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		requested *int32
		roleMax   int
		chained   bool
		want      time.Duration
		code      string
	}{
		{"default", nil, 3600, false, time.Hour, ""},
		{"default for a 12-hour role", nil, 43200, false, time.Hour, ""},
		{"minimum", i32(900), 3600, false, 15 * time.Minute, ""},
		{"below minimum", i32(899), 3600, false, 0, "ValidationError"},
		{"role maximum", i32(43200), 43200, false, 12 * time.Hour, ""},
		{"over role maximum", i32(3601), 3600, false, 0, "ValidationError"},
		{"chained hour", i32(3600), 43200, true, time.Hour, ""},
		{"chained over an hour", i32(3601), 43200, true, 0, "ValidationError"},
		{"chained default", nil, 43200, true, time.Hour, ""},
		{"role without a maximum (emulated)", i32(3600), 0, false, time.Hour, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := roleSessionDuration(c.requested, c.roleMax, c.chained)
			wantCode(t, err, c.code)
			if got != c.want {
				t.Fatalf("duration %v, want %v", got, c.want)
			}
		})
	}
}

func TestTokenDuration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		requested *int32
		root      bool
		want      time.Duration
	}{
		{"user default", nil, false, 12 * time.Hour},
		{"user 36 hours", i32(129600), false, 36 * time.Hour},
		{"root default cut to an hour", nil, true, time.Hour},
		{"root 15 minutes", i32(900), true, 15 * time.Minute},
		{"root 36 hours cut to an hour", i32(129600), true, time.Hour},
	}
	for _, c := range cases {
		if got := tokenDuration(c.requested, c.root); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func tag(k, v string) stsapi.Tag { return stsapi.Tag{Key: k, Value: v} }

func TestSessionTags(t *testing.T) {
	t.Parallel()
	parent := &service.Session{
		Tags:              []service.Tag{{Key: "Team", Value: "blue"}, {Key: "Project", Value: "x"}},
		TransitiveTagKeys: []string{"Team"},
	}
	cases := []struct {
		name           string
		parent         *service.Session
		tags           []stsapi.Tag
		transitive     []string
		wantTags       []store.Tag
		wantTransitive []string
		code           string
	}{
		{"none", nil, nil, nil, nil, nil, ""},
		{"own tags", nil, []stsapi.Tag{tag("a", "1"), tag("b", "")}, []string{"a"},
			[]store.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: ""}}, []string{"a"}, ""},
		{"inherits transitive only", parent, []stsapi.Tag{tag("Env", "prod")}, nil,
			[]store.Tag{{Key: "Team", Value: "blue"}, {Key: "Env", Value: "prod"}}, []string{"Team"}, ""},
		{"inherited key in another case", parent, []stsapi.Tag{tag("team", "red")}, nil, nil, nil, "InvalidParameterValue"},
		{"non-transitive parent tag may be set again", parent, []stsapi.Tag{tag("Project", "y")}, nil,
			[]store.Tag{{Key: "Team", Value: "blue"}, {Key: "Project", Value: "y"}}, []string{"Team"}, ""},
		{"duplicate keys", nil, []stsapi.Tag{tag("k", "1"), tag("K", "2")}, nil, nil, nil, "InvalidParameterValue"},
		{"transitive key not passed", nil, []stsapi.Tag{tag("k", "1")}, []string{"other"}, nil, nil, "InvalidParameterValue"},
		{"key too long", nil, []stsapi.Tag{tag(strings.Repeat("k", 129), "")}, nil, nil, nil, "ValidationError"},
		{"value too long", nil, []stsapi.Tag{tag("k", strings.Repeat("v", 257))}, nil, nil, nil, "ValidationError"},
		{"value of 256 multibyte characters", nil, []stsapi.Tag{tag("k", strings.Repeat("é", 256))}, nil,
			[]store.Tag{{Key: "k", Value: strings.Repeat("é", 256)}}, nil, ""},
		{"50 with inherited ones over", parent, func() []stsapi.Tag {
			var out []stsapi.Tag
			for i := range 50 {
				out = append(out, tag("k"+string(rune('A'+i/26))+string(rune('a'+i%26)), "v"))
			}
			return out
		}(), nil, nil, nil, "ValidationError"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tags, transitive, err := sessionTags(c.parent, c.tags, c.transitive)
			wantCode(t, err, c.code)
			if c.code != "" {
				return
			}
			if !reflect.DeepEqual(tags, c.wantTags) || !reflect.DeepEqual(transitive, c.wantTransitive) {
				t.Fatalf("tags %v transitive %v, want %v %v", tags, transitive, c.wantTags, c.wantTransitive)
			}
		})
	}
}

func TestChainSourceIdentity(t *testing.T) {
	t.Parallel()
	set := &service.Session{SourceIdentity: "alice"}
	cases := []struct {
		name      string
		parent    *service.Session
		requested string
		want      string
		code      string
	}{
		{"first set", nil, "alice", "alice", ""},
		{"none", nil, "", "", ""},
		{"carried on", set, "", "alice", ""},
		{"same again", set, "alice", "alice", ""},
		{"changed", set, "bob", "", "InvalidParameterValue"},
		{"parent without one", &service.Session{}, "bob", "bob", ""},
	}
	for _, c := range cases {
		got, err := chainSourceIdentity(c.parent, c.requested)
		if c.code != "" {
			wantCode(t, err, c.code)
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestPackedPolicySize(t *testing.T) {
	t.Parallel()
	random := func(n int) string {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return base64.StdEncoding.EncodeToString(b)[:n]
	}
	var big []store.Tag
	for i := range 50 {
		big = append(big, store.Tag{Key: random(128), Value: random(256) + string(rune('a'+i%26))})
	}
	policy2048 := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/k"},`, 25)
	policy2048 = policy2048[:len(policy2048)-1] + `]}`
	var tenARNs []string
	for i := range 10 {
		tenARNs = append(tenARNs, "arn:aws:iam::123456789012:policy/some/long/path/name-"+string(rune('a'+i)))
	}
	// Session policies like the ones users report AWS's answers for: one
	// statement per action across the services a deployment touches.
	actions := []string{"cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:DescribeStacks",
		"cloudformation:DescribeStackEvents", "cloudformation:GetTemplate", "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable",
		"dynamodb:UpdateTimeToLive", "dynamodb:TagResource", "s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutObject", "s3:GetObject",
		"s3:PutBucketVersioning", "lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:AddPermission",
		"lambda:GetFunction", "lambda:DeleteFunction", "iam:CreateRole", "iam:DeleteRole", "iam:PassRole", "iam:AttachRolePolicy", "iam:PutRolePolicy",
		"iam:GetRole", "logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DeleteLogGroup", "logs:DescribeLogGroups", "sqs:CreateQueue",
		"sqs:DeleteQueue", "sqs:SetQueueAttributes", "sns:CreateTopic", "sns:Subscribe", "events:PutRule", "events:PutTargets", "apigateway:POST",
		"apigateway:DELETE"}
	deployPolicy := func(n int) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions[:n], `","`) +
			`"],"Resource":["arn:aws:cloudformation:us-east-1:123456789012:stack/poppy-*","arn:aws:s3:::poppy-artifacts-123456789012/*"]}]}`
	}
	cases := []struct {
		name    string
		sp      sessionPolicySet
		tags    []store.Tag
		zero    bool
		tooBig  bool
		atLeast int32
	}{
		{"42 actions across services", sessionPolicySet{inline: deployPolicy(42)}, nil, false, true, 101},
		{"12 actions", sessionPolicySet{inline: deployPolicy(12)}, nil, false, false, 1},
		{"nothing", sessionPolicySet{}, nil, true, false, 0},
		{"one small tag", sessionPolicySet{}, []store.Tag{{Key: "a", Value: "b"}}, false, false, 1},
		{"the largest plaintext policy and ten ARNs", sessionPolicySet{inline: policy2048, arns: tenARNs}, nil, false, false, 1},
		{"fifty long random tags", sessionPolicySet{}, big, false, true, 101},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := packedPolicySize(c.sp, c.tags)
			if c.tooBig {
				wantCode(t, err, "PackedPolicyTooLarge")
				if !strings.Contains(err.Error(), "Packed policy consumes ") || !strings.HasSuffix(err.Error(), "% of allotted space") {
					t.Fatalf("message %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if c.zero && got != 0 || !c.zero && got < c.atLeast {
				t.Fatalf("size %d%%", got)
			}
			t.Logf("%s (%d characters of policy): %d%% of the allowance", c.name, len(c.sp.inline), got)
		})
	}
}

func TestParseRoleARN(t *testing.T) {
	t.Parallel()
	cases := []struct {
		arn  string
		want roleRef
		ok   bool
	}{
		{"arn:aws:iam::123456789012:role/R", roleRef{Partition: "aws", Account: "123456789012", Path: "/", Name: "R"}, true},
		{"arn:aws-cn:iam::123456789012:role/a/b/R", roleRef{Partition: "aws-cn", Account: "123456789012", Path: "/a/b/", Name: "R"}, true},
		{"arn:aws:iam::123456789012:user/R", roleRef{}, false},
		{"arn:aws:iam::123456789012:role/", roleRef{}, false},
		{"arn:aws:iam::12345:role/R", roleRef{}, false},
		{"arn:aws:s3::123456789012:role/R", roleRef{}, false},
		{"not an arn", roleRef{}, false},
	}
	for _, c := range cases {
		got, err := parseRoleARN(c.arn)
		if c.ok != (err == nil) {
			t.Errorf("%s: error %v", c.arn, err)
			continue
		}
		c.want.ARN = c.arn
		if c.ok && got != c.want {
			t.Errorf("%s: %+v, want %+v", c.arn, got, c.want)
		}
	}
}

func TestAuthorizationMessageRoundTrip(t *testing.T) {
	t.Parallel()
	kr, err := seal.NewKeyring(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	m := AuthorizationMessage{Context: AuthorizationContext{Action: "iam:CreateUser", Resource: "*"}}
	enc, err := EncodeAuthorizationMessage(kr, "123456789012", m)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) > 10240 {
		t.Fatalf("encoded message of %d characters exceeds the model's 10240", len(enc))
	}
	got, err := DecodeAuthorizationMessage(kr, "123456789012", enc)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"allowed":false,"explicitDeny":false,"matchedStatements":{"items":[]},"failures":{"items":[]},"context":{"principal":{"id":"","arn":""},"action":"iam:CreateUser","resource":"*","conditions":{"items":[]}}}`
	if got != want {
		t.Fatalf("decoded\n%s\nwant\n%s", got, want)
	}
	if _, err := DecodeAuthorizationMessage(kr, "210987654321", enc); err == nil {
		t.Fatal("decoded for another account")
	}
}
