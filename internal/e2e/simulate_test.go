package e2e_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// dynamoAfter is the AWS CLI reference's simulate-custom-policy example:
// DynamoDB after a date.
const dynamoAfter = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`

func position(p *iamtypes.Position) [2]int32 {
	if p == nil {
		return [2]int32{}
	}
	return [2]int32{p.Line, p.Column}
}

// TestSimulateCustomPolicy runs the AWS CLI reference's examples and the
// simulator's other inputs over the wire.
func TestSimulateCustomPolicy(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	cx := ctx(t)
	at := func(when string) []iamtypes.ContextEntry {
		return []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyValues: []string{when}, ContextKeyType: iamtypes.ContextKeyTypeEnumDate}}
	}

	t.Run("AWS CLI example: allowed", func(t *testing.T) {
		out, err := c.SimulateCustomPolicy(cx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{dynamoAfter},
			ActionNames: []string{"dynamodb:CreateBackup"}, ContextEntries: at("2019-04-25T11:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		r := out.EvaluationResults[0]
		if r.EvalDecision != iamtypes.PolicyEvaluationDecisionTypeAllowed || aws.ToString(r.EvalResourceName) != "*" || len(r.MissingContextValues) != 0 {
			t.Fatalf("result %+v", r)
		}
		// The CLI reference answers Line 1, Column 38 to Column 167.
		m := r.MatchedStatements
		if len(m) != 1 || aws.ToString(m[0].SourcePolicyId) != "PolicyInputList.1" ||
			position(m[0].StartPosition) != [2]int32{1, 38} || position(m[0].EndPosition) != [2]int32{1, 167} {
			t.Errorf("matched %+v", m)
		}
	})
	t.Run("AWS CLI example: too early", func(t *testing.T) {
		out, err := c.SimulateCustomPolicy(cx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{dynamoAfter},
			ActionNames: []string{"dynamodb:CreateBackup"}, ContextEntries: at("2014-04-25T11:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		if r := out.EvaluationResults[0]; r.EvalDecision != iamtypes.PolicyEvaluationDecisionTypeImplicitDeny || len(r.MatchedStatements) != 0 {
			t.Errorf("result %+v", r)
		}
	})
	t.Run("missing context", func(t *testing.T) {
		out, err := c.SimulateCustomPolicy(cx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{dynamoAfter}, ActionNames: []string{"dynamodb:CreateBackup"}})
		if err != nil {
			t.Fatal(err)
		}
		if r := out.EvaluationResults[0]; r.EvalDecision != iamtypes.PolicyEvaluationDecisionTypeImplicitDeny || !slices.Equal(r.MissingContextValues, []string{"aws:CurrentTime"}) {
			t.Errorf("result %+v", r)
		}
	})
	t.Run("explicit deny, boundary, resources", func(t *testing.T) {
		out, err := c.SimulateCustomPolicy(cx, &iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},` +
				`{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod"}]}`},
			PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*","s3:DeleteBucket"],"Resource":"*"}}`},
			ActionNames:                        []string{"s3:GetObject", "s3:PutObject", "s3:DeleteBucket"},
			ResourceArns:                       []string{"arn:aws:s3:::prod"},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]iamtypes.PolicyEvaluationDecisionType{
			"s3:GetObject":    iamtypes.PolicyEvaluationDecisionTypeAllowed,
			"s3:PutObject":    iamtypes.PolicyEvaluationDecisionTypeImplicitDeny,
			"s3:DeleteBucket": iamtypes.PolicyEvaluationDecisionTypeExplicitDeny,
		}
		for _, r := range out.EvaluationResults {
			a := aws.ToString(r.EvalActionName)
			if r.EvalDecision != want[a] || aws.ToString(r.EvalResourceName) != "arn:aws:s3:::prod" || len(r.ResourceSpecificResults) != 1 {
				t.Errorf("%s: %+v", a, r)
			}
			if r.PermissionsBoundaryDecisionDetail == nil || r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary != (a != "s3:PutObject") {
				t.Errorf("%s boundary detail %+v", a, r.PermissionsBoundaryDecisionDetail)
			}
		}
		// The deny is the second statement: it starts after the first.
		del := out.EvaluationResults[2]
		if len(del.MatchedStatements) != 1 || position(del.MatchedStatements[0].StartPosition)[1] <= 38 {
			t.Errorf("deny matched %+v", del.MatchedStatements)
		}
	})
	t.Run("SCPs", func(t *testing.T) {
		out, err := c.SimulateCustomPolicy(cx, &iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
			OrderedOrganizationPolicyInputList: []iamtypes.OrderedOrganizationPolicyType{
				{ServiceControlPolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`}},
				{ServiceControlPolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`}},
			},
			ActionNames: []string{"ec2:RunInstances", "s3:GetObject"},
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, allowed := range []bool{true, false} {
			r := out.EvaluationResults[i]
			if (r.EvalDecision == iamtypes.PolicyEvaluationDecisionTypeAllowed) != allowed || r.OrganizationsDecisionDetail == nil ||
				r.OrganizationsDecisionDetail.AllowedByOrganizations != allowed {
				t.Errorf("%s: %+v", aws.ToString(r.EvalActionName), r)
			}
		}
	})
	t.Run("pagination", func(t *testing.T) {
		actions := []string{"dynamodb:CreateBackup", "dynamodb:GetItem", "dynamodb:PutItem", "s3:GetObject", "s3:PutObject"}
		p := iam.NewSimulateCustomPolicyPaginator(c, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{dynamoAfter}, ActionNames: actions, MaxItems: aws.Int32(2)})
		var got []string
		for p.HasMorePages() {
			page, err := p.NextPage(cx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.EvaluationResults {
				got = append(got, aws.ToString(r.EvalActionName))
			}
		}
		if !slices.Equal(got, actions) {
			t.Errorf("paged %v", got)
		}
	})
	t.Run("invalid input", func(t *testing.T) {
		_, err := c.SimulateCustomPolicy(cx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`},
			ActionNames: []string{"s3:GetObject"}})
		apiErr(t, err, "InvalidInput", "Policy statement must contain actions.")
		_, err = c.SimulateCustomPolicy(cx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{dynamoAfter}, ActionNames: []string{"dynamodb:*"}})
		apiErr(t, err, "InvalidInput", "dynamodb:*")
		_, err = c.SimulateCustomPolicy(cx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{dynamoAfter}, ActionNames: []string{"dynamodb:GetItem"},
			ResourcePolicy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"dynamodb:*","Resource":"*"}}`)})
		apiErr(t, err, "InvalidInput", "CallerArn")
		_, err = c.SimulateCustomPolicy(cx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{dynamoAfter}, ActionNames: []string{"dynamodb:GetItem"},
			ContextEntries: []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyValues: []string{"yesterday"}, ContextKeyType: iamtypes.ContextKeyTypeEnumDate}}})
		apiErr(t, err, "InvalidInput", "yesterday")
	})
}

// TestSimulatePrincipalPolicy simulates a user's policies (its own, its
// group's and its boundary), a role's with a resource policy and a caller,
// and lists the context keys both reference.
func TestSimulatePrincipalPolicy(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	acct := accountOf(t, in, admin)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	bnd, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("no-delete"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3:Delete*","Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	must(c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("dana"), PermissionsBoundary: bnd.Policy.Arn}))
	must(c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("dana"), PolicyName: aws.String("s3-in-office"),
		PolicyDocument: aws.String("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n" +
			"      \"Resource\": \"*\",\n      \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"192.0.2.0/24\"}}\n    }\n  ]\n}")}))
	must(c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("auditors")}))
	must(c.AttachGroupPolicy(cx, &iam.AttachGroupPolicyInput{GroupName: aws.String("auditors"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))
	must(c.AddUserToGroup(cx, &iam.AddUserToGroupInput{GroupName: aws.String("auditors"), UserName: aws.String("dana")}))
	user := "arn:aws:iam::" + acct + ":user/dana"
	office := []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyValues: []string{"192.0.2.10"}, ContextKeyType: iamtypes.ContextKeyTypeEnumIp}}

	decisions := func(out *iam.SimulatePrincipalPolicyOutput) map[string]iamtypes.EvaluationResult {
		m := map[string]iamtypes.EvaluationResult{}
		for _, r := range out.EvaluationResults {
			m[aws.ToString(r.EvalActionName)] = r
		}
		return m
	}
	t.Run("user", func(t *testing.T) {
		out, err := c.SimulatePrincipalPolicy(cx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(user), ContextEntries: office,
			ActionNames: []string{"s3:GetObject", "s3:DeleteObject", "iam:GetUser", "iam:DeleteUser"}})
		if err != nil {
			t.Fatal(err)
		}
		m := decisions(out)
		for a, want := range map[string]iamtypes.PolicyEvaluationDecisionType{
			"s3:GetObject": "allowed", "s3:DeleteObject": "implicitDeny", "iam:GetUser": "allowed", "iam:DeleteUser": "implicitDeny",
		} {
			if m[a].EvalDecision != want {
				t.Errorf("%s = %s, want %s", a, m[a].EvalDecision, want)
			}
		}
		get := m["s3:GetObject"].MatchedStatements
		if len(get) != 1 || aws.ToString(get[0].SourcePolicyId) != "s3-in-office" || get[0].SourcePolicyType != "IAM Policy" ||
			position(get[0].StartPosition) != [2]int32{3, 17} || position(get[0].EndPosition) != [2]int32{9, 6} {
			t.Errorf("GetObject matched %+v (%v-%v)", get, position(get[0].StartPosition), position(get[0].EndPosition))
		}
		if b := m["s3:DeleteObject"].PermissionsBoundaryDecisionDetail; b == nil || b.AllowedByPermissionsBoundary {
			t.Errorf("DeleteObject boundary %+v", b)
		}
		if g := m["iam:GetUser"].MatchedStatements; len(g) != 1 || aws.ToString(g[0].SourcePolicyId) != "IAMReadOnlyAccess" {
			t.Errorf("GetUser matched %+v", g)
		}
	})
	t.Run("outside the office", func(t *testing.T) {
		out, err := c.SimulatePrincipalPolicy(cx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(user), ActionNames: []string{"s3:GetObject"},
			ContextEntries: []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyValues: []string{"203.0.113.9"}, ContextKeyType: iamtypes.ContextKeyTypeEnumIp}}})
		if err != nil {
			t.Fatal(err)
		}
		if r := out.EvaluationResults[0]; r.EvalDecision != "implicitDeny" {
			t.Errorf("from elsewhere: %+v", r)
		}
	})
	t.Run("exclusions", func(t *testing.T) {
		out, err := c.SimulatePrincipalPolicy(cx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(user), ContextEntries: office,
			ActionNames: []string{"s3:DeleteObject", "iam:GetUser"},
			PolicyExclusionList: []iamtypes.PolicyIdentifier{
				&iamtypes.PolicyIdentifierMemberPolicyType{Value: iamtypes.PolicyIdentifierPolicyTypePermissionBoundary},
				&iamtypes.PolicyIdentifierMemberPolicyArn{Value: "arn:aws:iam::aws:policy/IAMReadOnly*"},
			}})
		if err != nil {
			t.Fatal(err)
		}
		m := decisions(out)
		if m["s3:DeleteObject"].EvalDecision != "allowed" || m["iam:GetUser"].EvalDecision != "implicitDeny" {
			t.Errorf("with exclusions: DeleteObject %s, GetUser %s", m["s3:DeleteObject"].EvalDecision, m["iam:GetUser"].EvalDecision)
		}
	})
	t.Run("role with a resource policy and a caller", func(t *testing.T) {
		must(c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(accountTrust(acct))}))
		role := "arn:aws:iam::" + acct + ":role/reader"
		queue := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + user + `"},"Action":"sqs:SendMessage","Resource":"*"}}`
		_, err := c.SimulatePrincipalPolicy(cx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role), ActionNames: []string{"sqs:SendMessage"},
			ResourcePolicy: aws.String(queue)})
		apiErr(t, err, "InvalidInput", "CallerArn")
		out, err := c.SimulatePrincipalPolicy(cx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role), ActionNames: []string{"sqs:SendMessage", "sqs:DeleteQueue"},
			ResourcePolicy: aws.String(queue), CallerArn: aws.String(user), ResourceArns: []string{"arn:aws:sqs:us-east-1:" + acct + ":jobs"}})
		if err != nil {
			t.Fatal(err)
		}
		m := decisions(out)
		send := m["sqs:SendMessage"]
		if send.EvalDecision != "allowed" || len(send.MatchedStatements) != 1 || aws.ToString(send.MatchedStatements[0].SourcePolicyId) != "ResourcePolicy" ||
			send.MatchedStatements[0].SourcePolicyType != "Resource Policy" {
			t.Errorf("SendMessage %+v", send)
		}
		if m["sqs:DeleteQueue"].EvalDecision != "implicitDeny" {
			t.Errorf("DeleteQueue %+v", m["sqs:DeleteQueue"])
		}
	})
	t.Run("not found and invalid", func(t *testing.T) {
		_, err := c.SimulatePrincipalPolicy(cx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":user/nobody"), ActionNames: []string{"s3:GetObject"}})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.SimulatePrincipalPolicy(cx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":group/nobody"), ActionNames: []string{"s3:GetObject"}})
		apiErr(t, err, "NoSuchEntity", "The group with name nobody cannot be found.")
		_, err = c.SimulatePrincipalPolicy(cx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("this-is-not-an-iam-source-arn"), ActionNames: []string{"s3:GetObject"}})
		apiErr(t, err, "InvalidInput", "PolicySourceArn")
	})
	t.Run("context keys", func(t *testing.T) {
		out, err := c.GetContextKeysForPrincipalPolicy(cx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(user),
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`}})
		if err != nil {
			t.Fatal(err)
		}
		keys := slices.Sorted(slices.Values(out.ContextKeyNames))
		if !slices.Equal(keys, []string{"aws:SourceIp", "aws:username"}) {
			t.Errorf("keys %q", keys)
		}
		_, err = c.GetContextKeysForPrincipalPolicy(cx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":role/nobody")})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
	})
}

// TestContextKeysForCustomPolicy lists the keys of documents given as
// strings: condition keys as written, policy variables (with defaults),
// once per document.
func TestContextKeysForCustomPolicy(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	cx := ctx(t)
	out, err := c.GetContextKeysForCustomPolicy(cx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/Team, 'none'}/*",` +
			`"Condition":{"StringEquals":{"s3:ExistingObjectTag/Owner":"${aws:username}"},"Bool":{"aws:SecureTransport":"true"}}}}`,
		dynamoAfter,
	}})
	if err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(slices.Values(out.ContextKeyNames))
	want := []string{"aws:CurrentTime", "aws:PrincipalTag/Team", "aws:SecureTransport", "aws:username", "s3:ExistingObjectTag/Owner"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	_, err = c.GetContextKeysForCustomPolicy(cx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{
		`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"MadeUp":{"aws:username":"a"}}}}`}})
	apiErr(t, err, "InvalidInput", "Syntax errors in policy.")
}
