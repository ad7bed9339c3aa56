package iam

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

// TestStatementPositions checks the positions the simulator reports
// against AWS's answers on record.
func TestStatementPositions(t *testing.T) {
	t.Parallel()
	const adminAccess = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n" +
		"      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	cases := []struct {
		name       string
		doc        string
		want       []textPos // start, end of each statement
		wantString []string  // each statement's text
	}{
		{
			// AWS CLI reference, simulate-custom-policy example 1.
			name: "one statement object, one line",
			doc:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`,
			want: []textPos{{1, 38}, {1, 167}},
		},
		{
			// A recorded AWS answer for a compact 1,163-character policy:
			// Column 38 to 271 for its first statement.
			name: "first of several, one line",
			doc: `{"Version":"2012-10-17","Statement":[{"Action":["s3:GetObjectVersion","s3:GetObject"],"Effect":"Deny",` +
				`"NotResource":["arn:aws:s3:::orbit-infra-79s5rw-tfstate/envs/preview/*","arn:aws:s3:::orbit-infra-79s5rw-tfstate/bootstrap/*"],` +
				`"Sid":"DenyReadStateObjectsOutsideScope"},{"Action":"s3:ListBucket","Effect":"Deny","NotResource":"arn:aws:s3:::orbit-infra-79s5rw-tfstate","Sid":"DenyListBucketOutsideScope"}]}`,
			// The second statement starts where the reader stood after
			// the first: at the comma.
			want: []textPos{{1, 38}, {1, 271}, {1, 271}, {1, 405}},
		},
		{
			// AWS's answer for AdministratorAccess as AWS formats it:
			// Line 3, Column 17 to Line 8, Column 6.
			name: "pretty-printed list",
			doc:  adminAccess,
			want: []textPos{{3, 17}, {8, 6}},
		},
		{
			name: "CRLF line ends and non-ASCII text",
			doc:  "{\r\n\"Statement\":[\r\n{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::é\"}]}",
			want: []textPos{{2, 14}, {3, 73}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pt := readPolicyText(tc.doc)
			var got []textPos
			for _, s := range pt.Statements {
				got = append(got, s.Start, s.End)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("positions %v, want %v", got, tc.want)
			}
		})
	}
}

// TestContextKeysForCustomPolicy runs AWS's recorded answers of
// GetContextKeysForCustomPolicy (radkawar/stackd's live observations,
// internal/services/iam/testdata/context_keys_aws.json): which documents
// are refused, and which keys each lists (the order is unspecified; a key
// in two documents is listed twice).
func TestContextKeysForCustomPolicy(t *testing.T) {
	t.Parallel()
	s := New(nil, nil)
	cases := []struct {
		name string
		docs []string
		want []string
		code string
	}{
		{"case_and_variables", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:PrincipalTag/Team}/${aws:username}","Condition":{"StringEquals":{"s3:ExistingObjectTag/Owner":"${aws:PrincipalTag/Team}"},"Null":{"AWS:SourceIp":"false"}}}}`}, []string{"s3:ExistingObjectTag/Owner", "aws:username", "aws:PrincipalTag/Team", "AWS:SourceIp"}, ""},
		{"default_and_literals", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:username, 'default'}/${*}/${?}/${$}"}}`}, []string{"$", "aws:username", "*", "?"}, ""},
		{"old_version", []string{`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:username}"}}`}, []string{}, ""},
		{"not_resource", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:GetObject","NotResource":"arn:aws:s3:::bucket/${aws:PrincipalTag/project}"}}`}, []string{"aws:PrincipalTag/project"}, ""},
		{"duplicates_and_case", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:username}/${AWS:username}","Condition":{"StringEquals":{"aws:username":"${aws:username}","AWS:username":"a"}}}}`}, []string{"aws:username", "AWS:username"}, ""},
		{"multiple_duplicates", []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}}}}`, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}}}}`}, []string{"aws:username", "aws:username"}, ""},
		{"invalid_operator", []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"MadeUp":{"aws:username":"a"}}}}`}, []string{}, "InvalidInput"},
		{"resource_policy", []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*","Condition":{"StringEquals":{"aws:username":"a"}}}}`}, []string{"aws:username"}, ""},
		{"missing_resource", []string{`{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"aws:username":"a"}}}}`}, []string{"aws:username"}, ""},
		{"variable_condition_numeric", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"aws:MultiFactorAuthAge":"${aws:PrincipalTag/Age}"}}}}`}, []string{"aws:PrincipalTag/Age", "aws:MultiFactorAuthAge"}, ""},
		{"missing_Effect", []string{`{"Version":"2012-10-17","Statement":{"Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}}}}`}, []string{}, "InvalidInput"},
		{"missing_Action", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}}}}`}, []string{"aws:username"}, ""},
		{"unknown_field", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}}},"Foo":"x"}`}, []string{}, "InvalidInput"},
		{"unknown_service_action", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"madeup:Thing","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}}}}`}, []string{"aws:username"}, ""},
		{"invalid_action", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"abc","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"}}}}`}, []string{"aws:username"}, ""},
		{"invalid_resource", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"bad","Condition":{"StringEquals":{"aws:username":"a"}}}}`}, []string{"aws:username"}, ""},
		{"numeric_literal_invalid", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"aws:MultiFactorAuthAge":"nope"}}}}`}, []string{"aws:MultiFactorAuthAge"}, ""},
		{"empty_statements", []string{`{"Statement":[]}`}, []string{}, ""},
		{"action_variable", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"${aws:username}","Resource":"*"}}`}, []string{}, ""},
		{"principal_variable", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"${aws:username}"},"Action":"*","Resource":"*"}}`}, []string{}, ""},
		{"condition_key_variable", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Condition":{"StringEquals":{"${aws:username}":"a"}}}}`}, []string{"${aws:username}"}, ""},
		{"empty_condition", []string{`{"Statement":{"Effect":"Allow","Condition":{}}}`}, []string{}, ""},
		{"missing_statement", []string{`{"Version":"2012-10-17"}`}, []string{}, ""},
		{"empty_action_resource", []string{`{"Statement":{"Effect":"Allow","Action":[],"Resource":[]}}`}, []string{}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := s.getContextKeysForCustomPolicy(context.Background(), &service.Call{}, &iamapi.GetContextKeysForCustomPolicyRequest{PolicyInputList: tc.docs})
			if tc.code != "" {
				var we *awsquery.Error
				if !errors.As(err, &we) || we.Code != tc.code {
					t.Fatalf("got %+v, %v; want %s", out, err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, want := slices.Clone(out.ContextKeyNames), slices.Clone(tc.want)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("keys %q, want %q", out.ContextKeyNames, tc.want)
			}
		})
	}
}

func TestWildcardMatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, s string
		fold, want bool
	}{
		{"arn:aws:iam::aws:policy/*", "arn:aws:iam::aws:policy/ReadOnlyAccess", false, true},
		{"arn:aws:iam::aws:policy/Read*Access", "arn:aws:iam::aws:policy/ReadOnlyAccess", false, true},
		{"arn:aws:iam::aws:policy/Read?nlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess", false, true},
		{"arn:aws:iam::aws:policy/Read?Access", "arn:aws:iam::aws:policy/ReadOnlyAccess", false, false},
		{"readonly*", "ReadOnlyAccess", false, false},
		{"readonly*", "ReadOnlyAccess", true, true},
		{"*", "", false, true},
		{"a*b*c", "aXXbYYc", false, true},
		{"a*b", "aXXbYYc", false, false},
	}
	for _, tc := range cases {
		if got := wildcardMatch(tc.pattern, tc.s, tc.fold); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q, %v) = %v", tc.pattern, tc.s, tc.fold, got)
		}
	}
}

const (
	s3Policy = `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"},` +
		`{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"},` +
		`{"Sid":"Later","Effect":"Allow","Action":"dynamodb:CreateBackup","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}]}`
	getOnlyBoundary = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*","iam:List*"],"Resource":"*"}}`
)

// custom runs SimulateCustomPolicy.
func custom(t *testing.T, in iamapi.SimulateCustomPolicyRequest) (*iamapi.SimulatePolicyResponse, error) {
	t.Helper()
	c := &service.Call{AccountID: "123456789012", Partition: "aws", Now: time.Now()}
	return New(nil, nil).simulateCustomPolicy(context.Background(), c, &in)
}

func TestSimulateCustomPolicy(t *testing.T) {
	t.Parallel()
	decisions := func(out *iamapi.SimulatePolicyResponse) []string {
		var ds []string
		for _, r := range out.EvaluationResults {
			ds = append(ds, r.EvalActionName+"="+r.EvalDecision)
		}
		return ds
	}
	t.Run("decisions and matched statements", func(t *testing.T) {
		out, err := custom(t, iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy},
			ActionNames: []string{"s3:GetObject", "s3:DeleteObject", "s3:PutObject"}, ResourceArns: []string{"arn:aws:s3:::bucket/key"}})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"s3:GetObject=allowed", "s3:DeleteObject=explicitDeny", "s3:PutObject=implicitDeny"}
		if got := decisions(out); !slices.Equal(got, want) {
			t.Fatalf("decisions %v, want %v", got, want)
		}
		get := out.EvaluationResults[0]
		if len(get.MatchedStatements) != 1 || *get.MatchedStatements[0].SourcePolicyId != "PolicyInputList.1" ||
			*get.MatchedStatements[0].SourcePolicyType != "IAM Policy" || *get.MatchedStatements[0].StartPosition.Column != 38 {
			t.Errorf("GetObject matched %+v", get.MatchedStatements)
		}
		if *get.EvalResourceName != "arn:aws:s3:::bucket/key" || len(get.ResourceSpecificResults) != 1 ||
			get.ResourceSpecificResults[0].EvalResourceDecision != "allowed" || get.EvalDecisionDetails == nil || len(get.EvalDecisionDetails) != 0 {
			t.Errorf("GetObject result %+v", get)
		}
		if del := out.EvaluationResults[1]; len(del.MatchedStatements) != 1 || *del.MatchedStatements[0].StartPosition.Column <= 38 {
			t.Errorf("DeleteObject matched %+v", del.MatchedStatements)
		}
		if put := out.EvaluationResults[2]; len(put.MatchedStatements) != 0 {
			t.Errorf("PutObject matched %+v", put.MatchedStatements)
		}
	})
	t.Run("context values", func(t *testing.T) {
		out, err := custom(t, iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"dynamodb:CreateBackup", "s3:GetObject"}})
		if err != nil {
			t.Fatal(err)
		}
		if r := out.EvaluationResults[0]; r.EvalDecision != "implicitDeny" || !slices.Equal(r.MissingContextValues, []string{"aws:CurrentTime"}) || r.EvalDecisionDetails != nil {
			t.Errorf("without aws:CurrentTime: %+v", r)
		}
		if r := out.EvaluationResults[1]; len(r.MissingContextValues) != 0 {
			t.Errorf("a statement for another action reports missing keys: %+v", r)
		}
		for _, tc := range []struct{ when, want string }{{"2019-04-25T11:00:00Z", "allowed"}, {"2017-04-25T11:00:00Z", "implicitDeny"}} {
			out, err := custom(t, iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"dynamodb:CreateBackup"},
				ContextEntries: []iamapi.ContextEntry{{ContextKeyName: ptr("aws:CurrentTime"), ContextKeyValues: []string{tc.when}, ContextKeyType: ptr("date")}}})
			if err != nil {
				t.Fatal(err)
			}
			if r := out.EvaluationResults[0]; r.EvalDecision != tc.want || len(r.MissingContextValues) != 0 {
				t.Errorf("at %s: %+v", tc.when, r)
			}
		}
	})
	t.Run("boundary and SCPs", func(t *testing.T) {
		denyIAM := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`
		out, err := custom(t, iamapi.SimulateCustomPolicyRequest{
			PolicyInputList:                    []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
			PermissionsBoundaryPolicyInputList: []string{getOnlyBoundary},
			OrderedOrganizationPolicyInputList: []iamapi.OrderedOrganizationPolicyType{{ServiceControlPolicyInputList: []string{denyIAM}}},
			ActionNames:                        []string{"s3:GetObject", "s3:PutObject", "iam:ListUsers"},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"s3:GetObject=explicitDeny", "s3:PutObject=implicitDeny", "iam:ListUsers=allowed"}
		if got := decisions(out); !slices.Equal(got, want) {
			t.Fatalf("decisions %v, want %v", got, want)
		}
		for i, w := range []struct{ boundary, orgs bool }{{true, false}, {false, true}, {true, true}} {
			r := out.EvaluationResults[i]
			if *r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary != w.boundary || *r.OrganizationsDecisionDetail.AllowedByOrganizations != w.orgs {
				t.Errorf("%s: boundary %v orgs %v", r.EvalActionName, *r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary, *r.OrganizationsDecisionDetail.AllowedByOrganizations)
			}
		}
		if m := out.EvaluationResults[0].MatchedStatements; len(m) != 1 || !strings.HasPrefix(*m[0].SourcePolicyId, "OrderedOrganizationPolicyInputList.1.") {
			t.Errorf("SCP deny matched %+v", m)
		}
	})
	t.Run("resource policy across accounts", func(t *testing.T) {
		const bucketPolicy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sqs:SendMessage","Resource":"*"}}`
		out, err := custom(t, iamapi.SimulateCustomPolicyRequest{
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`},
			ResourcePolicy:  ptr(bucketPolicy), CallerArn: ptr("arn:aws:iam::123456789012:user/alice"),
			ActionNames:  []string{"sqs:SendMessage", "sqs:DeleteQueue"},
			ResourceArns: []string{"arn:aws:sqs:us-east-1:210987654321:q"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := decisions(out); !slices.Equal(got, []string{"sqs:SendMessage=allowed", "sqs:DeleteQueue=implicitDeny"}) {
			t.Fatalf("decisions %v", got)
		}
		d := out.EvaluationResults[1].EvalDecisionDetails
		if d["IAM Policy"] != "allowed" || d["Resource Policy"] != "implicitDeny" {
			t.Errorf("cross-account details %v", d)
		}
		if m := out.EvaluationResults[0].MatchedStatements; len(m) != 2 {
			t.Errorf("SendMessage matched %+v, want the identity and the resource statements", m)
		}
	})
	t.Run("several resources", func(t *testing.T) {
		out, err := custom(t, iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"s3:GetObject"},
			ResourceArns: []string{"arn:aws:s3:::bucket/a", "arn:aws:s3:::other/b"}})
		if err != nil {
			t.Fatal(err)
		}
		r := out.EvaluationResults[0]
		if r.EvalDecision != "implicitDeny" || *r.EvalResourceName != "*" || len(r.ResourceSpecificResults) != 2 ||
			r.ResourceSpecificResults[0].EvalResourceDecision != "allowed" || r.ResourceSpecificResults[1].EvalResourceDecision != "implicitDeny" {
			t.Errorf("combined result %+v", r)
		}
	})
	t.Run("pagination", func(t *testing.T) {
		in := iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"s3:GetObject", "s3:DeleteObject", "s3:PutObject"}, MaxItems: ptr(int32(2))}
		first, err := custom(t, in)
		if err != nil || len(first.EvaluationResults) != 2 || !*first.IsTruncated || first.Marker == nil {
			t.Fatalf("first page %+v, %v", first, err)
		}
		in.Marker = first.Marker
		second, err := custom(t, in)
		if err != nil || len(second.EvaluationResults) != 1 || *second.IsTruncated || second.EvaluationResults[0].EvalActionName != "s3:PutObject" {
			t.Fatalf("second page %+v, %v", second, err)
		}
		in.Marker = ptr("bogus")
		if _, err := custom(t, in); code(err) != "InvalidInput" {
			t.Errorf("bad marker: %v", err)
		}
	})
	t.Run("invalid input", func(t *testing.T) {
		cases := []struct {
			name string
			in   iamapi.SimulateCustomPolicyRequest
			msg  string
		}{
			{"malformed policy", iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{`{"Statement":{"Effect":"Allow","Resource":"*"}}`}, ActionNames: []string{"s3:GetObject"}},
				"Policy statement must contain actions."},
			{"resource policy without caller", iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"s3:GetObject"},
				ResourcePolicy: ptr(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`)}, "CallerArn is required"},
			{"caller not a user", iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"s3:GetObject"},
				CallerArn: ptr("arn:aws:iam::123456789012:role/r")}, "CallerArn"},
			{"wildcard action", iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"s3:Get*"}}, "Action s3:Get* is not valid"},
			{"two boundaries", iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"s3:GetObject"},
				PermissionsBoundaryPolicyInputList: []string{getOnlyBoundary, getOnlyBoundary}}, "Only one permissions boundary"},
			{"bad numeric", iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"s3:GetObject"},
				ContextEntries: []iamapi.ContextEntry{{ContextKeyName: ptr("aws:MultiFactorAuthAge"), ContextKeyValues: []string{"ten"}, ContextKeyType: ptr("numeric")}}}, "Invalid value ten"},
			{"scenario without its resources", iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"ec2:RunInstances"},
				ResourceHandlingOption: ptr("EC2-VPC-InstanceStore"), ResourceArns: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-1"}}, "requires an EC2 image resource"},
			{"empty SCP level", iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, ActionNames: []string{"s3:GetObject"},
				OrderedOrganizationPolicyInputList: []iamapi.OrderedOrganizationPolicyType{{}}}, "Level 1"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := custom(t, tc.in)
				var we *awsquery.Error
				if !errors.As(err, &we) || we.Code != "InvalidInput" || !strings.Contains(we.Message, tc.msg) {
					t.Fatalf("got %v, want InvalidInput with %q", err, tc.msg)
				}
			})
		}
	})
}

func code(err error) string {
	var we *awsquery.Error
	if errors.As(err, &we) {
		return we.Code
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestSimulatePrincipalPolicy simulates a user's own, group and boundary
// policies from the store, with exclusions, and lists their context keys.
func TestSimulatePrincipalPolicy(t *testing.T) {
	t.Parallel()
	s, c := newTestService(t)
	cx := context.Background()
	const acct = "123456789012"
	boundaryARN := "arn:aws:iam::" + acct + ":policy/get-only"
	err := s.store.Update(cx, func(tx store.Tx) error {
		for _, err := range []error{
			tx.CreateUser(store.User{Account: acct, ID: "AIDAAAAAAAAAAAAAAAAAA", Name: "alice", Path: "/", Created: c.Now}),
			tx.PutInlinePolicy(acct, userEntity("alice"), store.InlinePolicy{Name: "inline-s3",
				Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`}),
			tx.CreateGroup(store.Group{Account: acct, ID: "AGPAAAAAAAAAAAAAAAAAA", Name: "readers", Path: "/", Created: c.Now}),
			tx.AddUserToGroup(acct, "readers", "alice"),
			tx.AttachPolicy(acct, groupEntity("readers"), store.AttachedPolicy{ARN: "arn:aws:iam::aws:policy/IAMReadOnlyAccess", Name: "IAMReadOnlyAccess", Path: "/"}),
			tx.CreatePolicy(store.Policy{Account: acct, ID: "ANPAAAAAAAAAAAAAAAAAA", Name: "get-only", Path: "/", ARN: boundaryARN, Created: c.Now, Updated: c.Now, DefaultVersion: "v1"},
				`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*","iam:List*"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}}`),
			tx.SetUserPermissionsBoundary(acct, "alice", boundaryARN),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctxEntries := []iamapi.ContextEntry{
		{ContextKeyName: ptr("aws:SourceIp"), ContextKeyValues: []string{"10.1.2.3"}, ContextKeyType: ptr("ip")},
		{ContextKeyName: ptr("aws:RequestedRegion"), ContextKeyValues: []string{"us-east-1"}, ContextKeyType: ptr("string")},
	}
	simulate := func(t *testing.T, in iamapi.SimulatePrincipalPolicyRequest) map[string]iamapi.EvaluationResult {
		t.Helper()
		out, err := s.simulatePrincipalPolicy(cx, c, &in)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]iamapi.EvaluationResult{}
		for _, r := range out.EvaluationResults {
			m[r.EvalActionName] = r
		}
		return m
	}
	user := "arn:aws:iam::" + acct + ":user/alice"
	actions := []string{"s3:GetObject", "s3:PutObject", "iam:ListUsers", "iam:CreateUser"}

	t.Run("user, group and boundary", func(t *testing.T) {
		r := simulate(t, iamapi.SimulatePrincipalPolicyRequest{PolicySourceArn: user, ActionNames: actions, ContextEntries: ctxEntries})
		for a, want := range map[string]string{"s3:GetObject": "allowed", "s3:PutObject": "implicitDeny", "iam:ListUsers": "allowed", "iam:CreateUser": "implicitDeny"} {
			if r[a].EvalDecision != want {
				t.Errorf("%s = %s, want %s", a, r[a].EvalDecision, want)
			}
		}
		if m := r["s3:GetObject"].MatchedStatements; len(m) != 1 || *m[0].SourcePolicyId != "inline-s3" {
			t.Errorf("GetObject matched %+v", m)
		}
		if m := r["iam:ListUsers"].MatchedStatements; len(m) != 1 || *m[0].SourcePolicyId != "IAMReadOnlyAccess" {
			t.Errorf("ListUsers matched %+v", m)
		}
		if b := r["s3:PutObject"].PermissionsBoundaryDecisionDetail; b == nil || *b.AllowedByPermissionsBoundary {
			t.Errorf("PutObject boundary detail %+v", b)
		}
	})
	t.Run("missing context values", func(t *testing.T) {
		r := simulate(t, iamapi.SimulatePrincipalPolicyRequest{PolicySourceArn: user, ActionNames: []string{"s3:GetObject"}})
		got := r["s3:GetObject"].MissingContextValues
		slices.Sort(got)
		if r["s3:GetObject"].EvalDecision != "implicitDeny" || !slices.Equal(got, []string{"aws:RequestedRegion", "aws:SourceIp"}) {
			t.Errorf("without context: %+v", r["s3:GetObject"])
		}
	})
	t.Run("exclusions", func(t *testing.T) {
		r := simulate(t, iamapi.SimulatePrincipalPolicyRequest{PolicySourceArn: user, ActionNames: actions, ContextEntries: ctxEntries,
			PolicyExclusionList: []iamapi.PolicyIdentifier{{PolicyType: ptr("permission-boundary")}, {PolicyArn: ptr("arn:aws:iam::aws:policy/IAMRead*")}}})
		for a, want := range map[string]string{"s3:PutObject": "allowed", "iam:ListUsers": "implicitDeny"} {
			if r[a].EvalDecision != want {
				t.Errorf("%s = %s, want %s", a, r[a].EvalDecision, want)
			}
		}
		r = simulate(t, iamapi.SimulatePrincipalPolicyRequest{PolicySourceArn: user, ActionNames: actions, ContextEntries: ctxEntries,
			PolicyExclusionList: []iamapi.PolicyIdentifier{{InlinePolicyIdentifier: &iamapi.InlinePolicyIdentifierType{PolicyName: "INLINE-S3", AttachmentType: "user", AttachmentName: "alice"}}}})
		if r["s3:GetObject"].EvalDecision != "implicitDeny" {
			t.Errorf("with the inline policy excluded, GetObject = %s", r["s3:GetObject"].EvalDecision)
		}
		_, err := s.simulatePrincipalPolicy(cx, c, &iamapi.SimulatePrincipalPolicyRequest{PolicySourceArn: user, ActionNames: actions,
			PolicyExclusionList: []iamapi.PolicyIdentifier{{PolicyType: ptr("inline"), PolicyArn: ptr(boundaryARN)}}})
		if code(err) != "InvalidInput" {
			t.Errorf("two identifiers in one entry: %v", err)
		}
	})
	t.Run("group and extra policies", func(t *testing.T) {
		r := simulate(t, iamapi.SimulatePrincipalPolicyRequest{PolicySourceArn: "arn:aws:iam::" + acct + ":group/readers", ActionNames: actions,
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*"}}`}})
		for a, want := range map[string]string{"s3:GetObject": "implicitDeny", "iam:ListUsers": "allowed", "iam:CreateUser": "allowed"} {
			if r[a].EvalDecision != want {
				t.Errorf("%s = %s, want %s", a, r[a].EvalDecision, want)
			}
		}
		if m := r["iam:CreateUser"].MatchedStatements; len(m) != 1 || *m[0].SourcePolicyId != "PolicyInputList.1" {
			t.Errorf("CreateUser matched %+v", m)
		}
	})
	t.Run("not found and invalid", func(t *testing.T) {
		for src, want := range map[string]string{
			"arn:aws:iam::" + acct + ":user/nobody": "NoSuchEntity",
			"arn:aws:iam::" + acct + ":role/nobody": "NoSuchEntity",
			"arn:aws:iam::999999999999:user/alice":  "NoSuchEntity",
			"this-is-not-an-iam-source-arn":         "InvalidInput",
			"arn:aws:s3:::bucket":                   "InvalidInput",
		} {
			_, err := s.simulatePrincipalPolicy(cx, c, &iamapi.SimulatePrincipalPolicyRequest{PolicySourceArn: src, ActionNames: actions})
			if code(err) != want {
				t.Errorf("%s: %v, want %s", src, err, want)
			}
		}
	})
	t.Run("context keys", func(t *testing.T) {
		out, err := s.getContextKeysForPrincipalPolicy(cx, c, &iamapi.GetContextKeysForPrincipalPolicyRequest{PolicySourceArn: user,
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`}})
		if err != nil {
			t.Fatal(err)
		}
		got := out.ContextKeyNames
		slices.Sort(got)
		if want := []string{"aws:RequestedRegion", "aws:SecureTransport", "aws:SourceIp"}; !slices.Equal(got, want) {
			t.Errorf("keys %q, want %q", got, want)
		}
	})
}

// FuzzReadPolicyText feeds arbitrary text to the statement reader, which
// must never panic and must place every statement inside the document.
func FuzzReadPolicyText(f *testing.F) {
	f.Add(s3Policy)
	f.Add(getOnlyBoundary)
	f.Add(`{"Statement":[{"Condition":"x"},1,{"Resource":["${a}",2]}]}`)
	f.Add(`{"Statement":{"Condition":{"StringLike":["a"]}}`)
	f.Add("{\"Statement\":[\r\n{}\r\n,{}]}")
	f.Fuzz(func(t *testing.T, doc string) {
		pt := readPolicyText(doc)
		lines := strings.Count(doc, "\n") + strings.Count(doc, "\r") + 1
		for _, s := range pt.Statements {
			if s.Start.Line < 1 || s.End.Line > lines || s.Start.Column < 1 || s.End.Column < 1 {
				t.Fatalf("statement at %v-%v outside a %d-line document", s.Start, s.End, lines)
			}
		}
		_ = pt.contextKeys()
		_ = variableKeys(doc)
	})
}

// BenchmarkSimulateCustomPolicy simulates ten actions on one resource
// against a three-statement policy, the documents parsed on every call.
func BenchmarkSimulateCustomPolicy(b *testing.B) {
	s := New(nil, nil)
	c := &service.Call{AccountID: "123456789012", Partition: "aws", Now: time.Now()}
	in := &iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{s3Policy}, PermissionsBoundaryPolicyInputList: []string{getOnlyBoundary},
		ResourceArns: []string{"arn:aws:s3:::bucket/key"},
		ActionNames: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetObjectAcl",
			"dynamodb:CreateBackup", "dynamodb:GetItem", "iam:ListUsers", "iam:GetUser", "ec2:RunInstances"}}
	for b.Loop() {
		if _, err := s.simulateCustomPolicy(context.Background(), c, in); err != nil {
			b.Fatal(err)
		}
	}
}
