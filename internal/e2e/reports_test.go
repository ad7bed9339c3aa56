package e2e_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// accountOf returns the account id of the credentials' caller.
func accountOf(t *testing.T, in *instance, c creds) string {
	t.Helper()
	id, err := in.STS(c).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(id.Account)
}

// httpStatus returns the HTTP status of an SDK error.
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// reportCertificate is a self-signed certificate, valid now, in PEM.
func reportCertificate(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "report"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// reportRows decodes a credential report into rows keyed by user name.
func reportRows(t *testing.T, content []byte) ([]string, map[string]map[string]string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(string(content))).ReadAll()
	if err != nil {
		t.Fatalf("report is not CSV: %v\n%s", err, content)
	}
	if len(recs) < 2 {
		t.Fatalf("report has no rows:\n%s", content)
	}
	rows := map[string]map[string]string{}
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, col := range recs[0] {
			row[col] = r[i]
		}
		rows[r[0]] = row
	}
	return recs[0], rows
}

// TestCredentialReport generates and reads a credential report: AWS's
// ReportNotPresent before the first generation, STARTED then COMPLETE,
// the exact header, the root user's row and the users' password and key
// columns, and the report as a snapshot of its generation time.
func TestCredentialReport(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	acct := accountOf(t, in, admin)

	_, err := c.GetCredentialReport(cx, &iam.GetCredentialReportInput{})
	apiErr(t, err, "ReportNotPresent", "credential report does not exist")
	if got := httpStatus(err); got != 410 {
		t.Errorf("ReportNotPresent status %d, want 410", got)
	}

	for _, u := range []string{"alice", "bob"} {
		if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateLoginProfile(cx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Tr0ub4dor&3-x")}); err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAccessKey(cx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"),
		AccessKeyId: key.AccessKey.AccessKeyId, Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}

	cert, err := c.UploadSigningCertificate(cx, &iam.UploadSigningCertificateInput{UserName: aws.String("alice"), CertificateBody: aws.String(reportCertificate(t))})
	if err != nil {
		t.Fatal(err)
	}

	before := time.Now().Add(-2 * time.Second)
	g, err := c.GenerateCredentialReport(cx, &iam.GenerateCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if g.State != iamtypes.ReportStateTypeStarted || aws.ToString(g.Description) != "No report exists. Starting a new report generation task" {
		t.Errorf("first GenerateCredentialReport = %s %q", g.State, aws.ToString(g.Description))
	}
	g, err = c.GenerateCredentialReport(cx, &iam.GenerateCredentialReportInput{})
	if err != nil || g.State != iamtypes.ReportStateTypeComplete || g.Description != nil {
		t.Fatalf("second GenerateCredentialReport = %+v, %v; want COMPLETE", g, err)
	}

	r, err := c.GetCredentialReport(cx, &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if r.ReportFormat != iamtypes.ReportFormatTypeTextCsv {
		t.Errorf("ReportFormat %q", r.ReportFormat)
	}
	if gt := aws.ToTime(r.GeneratedTime); gt.Before(before) || gt.After(time.Now().Add(2*time.Second)) {
		t.Errorf("GeneratedTime %v", gt)
	}
	header, rows := reportRows(t, r.Content)
	const wantHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
		"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
	if got := strings.Join(header, ","); got != wantHeader {
		t.Errorf("header\n got %s\nwant %s", got, wantHeader)
	}
	check := func(user string, want map[string]string) {
		t.Helper()
		row, ok := rows[user]
		if !ok {
			t.Errorf("no row for %s in\n%s", user, r.Content)
			return
		}
		for col, v := range want {
			if row[col] != v {
				t.Errorf("%s %s = %q, want %q", user, col, row[col], v)
			}
		}
	}
	check("<root_account>", map[string]string{
		"arn": "arn:aws:iam::" + acct + ":root", "password_enabled": "not_supported",
		"password_last_changed": "not_supported", "password_next_rotation": "not_supported",
		"access_key_1_active": "false", "access_key_1_last_rotated": "N/A", "mfa_active": "false",
	})
	check("alice", map[string]string{
		"arn": "arn:aws:iam::" + acct + ":user/alice", "password_enabled": "true", "password_last_used": "no_information",
		"password_next_rotation": "N/A", "access_key_1_active": "false", "access_key_1_last_rotated": "N/A",
		"cert_1_active": "true", "cert_1_last_rotated": cert.Certificate.UploadDate.UTC().Format("2006-01-02T15:04:05+00:00"),
		"cert_2_active": "false", "cert_2_last_rotated": "N/A",
	})
	check("bob", map[string]string{
		"password_enabled": "false", "password_last_used": "N/A", "password_last_changed": "N/A",
		"access_key_1_active": "false", "access_key_1_last_rotated": key.AccessKey.CreateDate.UTC().Format("2006-01-02T15:04:05+00:00"),
		"access_key_1_last_used_date": "N/A", "access_key_1_last_used_service": "N/A", "access_key_2_active": "false",
	})
	for _, col := range []string{"user_creation_time", "password_last_changed"} {
		if _, err := time.Parse(time.RFC3339, rows["alice"][col]); err != nil {
			t.Errorf("alice %s %q is not an ISO 8601 time", col, rows["alice"][col])
		}
	}
	if _, ok := rows["admin"]; !ok {
		t.Errorf("the admin user has no row")
	}

	t.Run("snapshot", func(t *testing.T) {
		if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GenerateCredentialReport(cx, &iam.GenerateCredentialReportInput{})
		if err != nil || g.State != iamtypes.ReportStateTypeComplete {
			t.Fatalf("GenerateCredentialReport within four hours = %+v, %v", g, err)
		}
		r, err := c.GetCredentialReport(cx, &iam.GetCredentialReportInput{})
		if err != nil {
			t.Fatal(err)
		}
		if _, rows := reportRows(t, r.Content); rows["carol"] != nil {
			t.Error("a user created after the report is in it")
		}
	})
}

// TestOrganizationsOnlyOperations calls every Organizations-only and
// partner or preview operation and checks AWS's answer to an account
// outside an organization, as internal/iam/organizations.go documents it.
func TestOrganizationsOnlyOperations(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	acct := accountOf(t, in, admin)
	const reqID = "0123456789abcdef-request"
	noOrg := "The request was rejected because no organization is associated with your account."
	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"ListOrganizationsFeatures", func() error {
			_, err := c.ListOrganizationsFeatures(cx, &iam.ListOrganizationsFeaturesInput{})
			return err
		},
			"OrganizationNotFoundException", 400, noOrg},
		{"EnableOrganizationsRootCredentialsManagement", func() error {
			_, err := c.EnableOrganizationsRootCredentialsManagement(cx, &iam.EnableOrganizationsRootCredentialsManagementInput{})
			return err
		}, "OrganizationNotFoundException", 400, noOrg},
		{"DisableOrganizationsRootCredentialsManagement", func() error {
			_, err := c.DisableOrganizationsRootCredentialsManagement(cx, &iam.DisableOrganizationsRootCredentialsManagementInput{})
			return err
		}, "OrganizationNotFoundException", 400, noOrg},
		{"EnableOrganizationsRootSessions", func() error {
			_, err := c.EnableOrganizationsRootSessions(cx, &iam.EnableOrganizationsRootSessionsInput{})
			return err
		}, "OrganizationNotFoundException", 400, noOrg},
		{"DisableOrganizationsRootSessions", func() error {
			_, err := c.DisableOrganizationsRootSessions(cx, &iam.DisableOrganizationsRootSessionsInput{})
			return err
		}, "OrganizationNotFoundException", 400, noOrg},
		{"GetOutboundWebIdentityFederationInfo", func() error {
			_, err := c.GetOutboundWebIdentityFederationInfo(cx, &iam.GetOutboundWebIdentityFederationInfoInput{})
			return err
		}, "FeatureDisabled", 404, "outbound identity federation is disabled"},
		{"DisableOutboundWebIdentityFederation", func() error {
			_, err := c.DisableOutboundWebIdentityFederation(cx, &iam.DisableOutboundWebIdentityFederationInput{})
			return err
		}, "FeatureDisabled", 404, "already disabled"},
		{"EnableOutboundWebIdentityFederation", func() error {
			_, err := c.EnableOutboundWebIdentityFederation(cx, &iam.EnableOutboundWebIdentityFederationInput{})
			return err
		}, "FeatureDisabled", 404, "cannot be enabled"},
		{"GenerateOrganizationsAccessReport", func() error {
			_, err := c.GenerateOrganizationsAccessReport(cx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String("o-a1b2c3d4e5/r-f6g7h8i9j0example")})
			return err
		}, "AWSOrganizationsNotInUseException", 400, "Your account is not a member of an organization."},
		{"GetOrganizationsAccessReport", func() error {
			_, err := c.GetOrganizationsAccessReport(cx, &iam.GetOrganizationsAccessReportInput{JobId: aws.String("examplea-1234-b567-cde8-90fg123abcd4")})
			return err
		}, "NoSuchEntity", 404, "examplea-1234-b567-cde8-90fg123abcd4"},
		{"CreateDelegationRequest", func() error {
			_, err := c.CreateDelegationRequest(cx, &iam.CreateDelegationRequestInput{Description: aws.String("deploy"), RequestorWorkflowId: aws.String("workflow-1"),
				NotificationChannel: aws.String("arn:aws:sns:us-east-1:123456789012:topic"), SessionDuration: aws.Int32(3600),
				Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}})
			return err
		}, "AccessDenied", 403, "Account " + acct + " is not onboarded"},
		{"GetDelegationRequest", func() error {
			_, err := c.GetDelegationRequest(cx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(reqID)})
			return err
		}, "NoSuchEntity", 404, "The delegation request with id " + reqID + " cannot be found."},
		{"AcceptDelegationRequest", func() error {
			_, err := c.AcceptDelegationRequest(cx, &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(reqID)})
			return err
		}, "NoSuchEntity", 404, reqID},
		{"AssociateDelegationRequest", func() error {
			_, err := c.AssociateDelegationRequest(cx, &iam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(reqID)})
			return err
		}, "NoSuchEntity", 404, reqID},
		{"RejectDelegationRequest", func() error {
			_, err := c.RejectDelegationRequest(cx, &iam.RejectDelegationRequestInput{DelegationRequestId: aws.String(reqID)})
			return err
		}, "NoSuchEntity", 404, reqID},
		{"SendDelegationToken", func() error {
			_, err := c.SendDelegationToken(cx, &iam.SendDelegationTokenInput{DelegationRequestId: aws.String(reqID)})
			return err
		}, "NoSuchEntity", 404, reqID},
		{"UpdateDelegationRequest", func() error {
			_, err := c.UpdateDelegationRequest(cx, &iam.UpdateDelegationRequestInput{DelegationRequestId: aws.String(reqID)})
			return err
		}, "NoSuchEntity", 404, reqID},
		{"GetHumanReadableSummary", func() error {
			_, err := c.GetHumanReadableSummary(cx, &iam.GetHumanReadableSummaryInput{EntityArn: aws.String("arn:aws:iam::" + acct + ":delegation-request/" + reqID)})
			return err
		}, "NoSuchEntity", 404, "cannot be found"},
		{"input is validated first", func() error {
			_, err := c.GetDelegationRequest(cx, &iam.GetDelegationRequestInput{DelegationRequestId: aws.String("short")})
			return err
		}, "ValidationError", 400, "delegationRequestId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			apiErr(t, err, tc.code, tc.msg)
			if got := httpStatus(err); got != tc.status {
				t.Errorf("status %d, want %d", got, tc.status)
			}
		})
	}
	t.Run("ListDelegationRequests", func(t *testing.T) {
		out, err := c.ListDelegationRequests(cx, &iam.ListDelegationRequestsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.DelegationRequests) != 0 || out.IsTruncated {
			t.Errorf("delegation requests %+v", out)
		}
		_, err = c.ListDelegationRequests(cx, &iam.ListDelegationRequestsInput{Marker: aws.String("elsewhere")})
		apiErr(t, err, "InvalidInput", "Marker")
	})
}

// decodeDoc decodes a policy document IAM returns percent-encoded.
func decodeDoc(t *testing.T, enc *string) string {
	t.Helper()
	doc, err := url.PathUnescape(aws.ToString(enc))
	if err != nil {
		t.Fatalf("document %q: %v", aws.ToString(enc), err)
	}
	return doc
}

// TestAccountAuthorizationDetails exports an account with a user in a
// group, a role in an instance profile, inline and attached policies, a
// boundary and a customer managed policy with two versions; pages through
// the export one item at a time; and filters it.
func TestAccountAuthorizationDetails(t *testing.T) {
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
	const inlineDoc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}}`
	must(c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("carol"), Path: aws.String("/ops/"),
		PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}}))
	must(c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("buckets"), PolicyDocument: aws.String(inlineDoc)}))
	must(c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("ops")}))
	must(c.AddUserToGroup(cx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("carol")}))
	pol, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("deploy"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	must(c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, SetAsDefault: true,
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}}`)}))
	must(c.AttachGroupPolicy(cx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: pol.Policy.Arn}))
	must(c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(ec2Trust)}))
	must(c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("web"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	must(c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}))
	must(c.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web")}))

	out, err := c.GetAccountAuthorizationDetails(cx, &iam.GetAccountAuthorizationDetailsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.IsTruncated {
		t.Fatal("a small account's export is truncated")
	}
	users := map[string]iamtypes.UserDetail{}
	for _, u := range out.UserDetailList {
		users[aws.ToString(u.UserName)] = u
	}
	carol, ok := users["carol"]
	if !ok || users["admin"].UserName == nil {
		t.Fatalf("users %v", users)
	}
	if aws.ToString(carol.Arn) != "arn:aws:iam::"+acct+":user/ops/carol" || len(carol.GroupList) != 1 || carol.GroupList[0] != "ops" ||
		len(carol.UserPolicyList) != 1 || decodeDoc(t, carol.UserPolicyList[0].PolicyDocument) != inlineDoc ||
		carol.PermissionsBoundary == nil || aws.ToString(carol.PermissionsBoundary.PermissionsBoundaryArn) != "arn:aws:iam::aws:policy/PowerUserAccess" ||
		len(carol.Tags) != 1 {
		t.Errorf("carol %+v", carol)
	}
	groups := map[string]iamtypes.GroupDetail{}
	for _, g := range out.GroupDetailList {
		groups[aws.ToString(g.GroupName)] = g
	}
	if ops := groups["ops"]; len(ops.AttachedManagedPolicies) != 1 || aws.ToString(ops.AttachedManagedPolicies[0].PolicyArn) != aws.ToString(pol.Policy.Arn) {
		t.Errorf("group ops %+v", ops)
	}
	if len(out.RoleDetailList) != 1 || len(out.RoleDetailList[0].InstanceProfileList) != 1 ||
		!strings.Contains(decodeDoc(t, out.RoleDetailList[0].AssumeRolePolicyDocument), "ec2.amazonaws.com") {
		t.Errorf("roles %+v", out.RoleDetailList)
	}
	policies := map[string]iamtypes.ManagedPolicyDetail{}
	for _, p := range out.Policies {
		policies[aws.ToString(p.PolicyName)] = p
	}
	if d := policies["deploy"]; len(d.PolicyVersionList) != 2 || aws.ToString(d.DefaultVersionId) != "v2" || aws.ToInt32(d.AttachmentCount) != 1 {
		t.Errorf("deploy %+v", d)
	}
	for _, name := range []string{"ReadOnlyAccess", "PowerUserAccess", "AdministratorAccess"} {
		if _, ok := policies[name]; !ok {
			t.Errorf("the export lacks %s, which the account uses (policies: %d)", name, len(out.Policies))
		}
	}
	if _, ok := policies["AmazonS3FullAccess"]; ok || len(out.Policies) > 10 {
		t.Errorf("the export lists AWS managed policies the account does not use (%d policies)", len(out.Policies))
	}

	t.Run("pages", func(t *testing.T) {
		total := len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies)
		p := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})
		n, pages := 0, 0
		for p.HasMorePages() {
			page, err := p.NextPage(cx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			n += len(page.UserDetailList) + len(page.GroupDetailList) + len(page.RoleDetailList) + len(page.Policies)
		}
		if n != total || pages != (total+1)/2 {
			t.Errorf("paged %d items in %d pages, want %d items", n, pages, total)
		}
		_, err := c.GetAccountAuthorizationDetails(cx, &iam.GetAccountAuthorizationDetailsInput{Marker: aws.String("forged")})
		apiErr(t, err, "InvalidInput", "Marker")
	})
	t.Run("filter", func(t *testing.T) {
		out, err := c.GetAccountAuthorizationDetails(cx, &iam.GetAccountAuthorizationDetailsInput{
			Filter: []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.UserDetailList) != 0 || len(out.GroupDetailList) != 0 || len(out.RoleDetailList) != 1 ||
			len(out.Policies) != 1 || aws.ToString(out.Policies[0].PolicyName) != "deploy" {
			t.Errorf("Role+LocalManagedPolicy: %+v", out)
		}
	})
}

// TestServiceLastAccessed generates access advisor reports for the admin
// user (whose key signs this test's requests, so iam and sts show as used)
// and for a group, and lists the policies that grant access to services.
func TestServiceLastAccessed(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	acct := accountOf(t, in, admin)
	adminARN := "arn:aws:iam::" + acct + ":user/admin"
	// The key's use reaches the store within a second of the request.
	deadline := time.Now().Add(15 * time.Second)
	for {
		u, err := c.GetAccessKeyLastUsed(cx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(admin.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if u.AccessKeyLastUsed.LastUsedDate != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the admin key's use was not recorded")
		}
		time.Sleep(200 * time.Millisecond)
	}

	g, err := c.GenerateServiceLastAccessedDetails(cx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(adminARN)})
	if err != nil {
		t.Fatal(err)
	}
	if len(aws.ToString(g.JobId)) != 36 {
		t.Errorf("JobId %q", aws.ToString(g.JobId))
	}
	out, err := c.GetServiceLastAccessedDetails(cx, &iam.GetServiceLastAccessedDetailsInput{JobId: g.JobId, MaxItems: aws.Int32(1000)})
	if err != nil {
		t.Fatal(err)
	}
	if out.JobStatus != iamtypes.JobStatusTypeCompleted || out.JobType != iamtypes.AccessAdvisorUsageGranularityTypeServiceLevel || out.JobCreationDate == nil {
		t.Errorf("job %+v", out)
	}
	// AdministratorAccess reaches every service.
	if len(out.ServicesLastAccessed) < 400 {
		t.Errorf("%d services for an administrator", len(out.ServicesLastAccessed))
	}
	var usedIAM bool
	for _, s := range out.ServicesLastAccessed {
		if aws.ToString(s.ServiceNamespace) == "iam" || aws.ToString(s.ServiceNamespace) == "sts" {
			if s.LastAuthenticated != nil && aws.ToString(s.LastAuthenticatedEntity) == adminARN && aws.ToInt32(s.TotalAuthenticatedEntities) == 1 {
				usedIAM = true
			}
		}
	}
	if !usedIAM {
		t.Error("neither iam nor sts shows the admin key's use")
	}
	page, err := c.GetServiceLastAccessedDetails(cx, &iam.GetServiceLastAccessedDetailsInput{JobId: g.JobId, MaxItems: aws.Int32(10)})
	if err != nil || len(page.ServicesLastAccessed) != 10 || !page.IsTruncated || page.Marker == nil {
		t.Errorf("first page of 10: %d services, %v", len(page.ServicesLastAccessed), err)
	}

	t.Run("group with entities", func(t *testing.T) {
		if _, err := c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("readers")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutGroupPolicy(cx, &iam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("iam-read"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddUserToGroup(cx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("admin")}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GenerateServiceLastAccessedDetails(cx, &iam.GenerateServiceLastAccessedDetailsInput{
			Arn: aws.String("arn:aws:iam::" + acct + ":group/readers"), Granularity: iamtypes.AccessAdvisorUsageGranularityTypeActionLevel})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.GetServiceLastAccessedDetails(cx, &iam.GetServiceLastAccessedDetailsInput{JobId: g.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.ServicesLastAccessed) != 1 || aws.ToString(out.ServicesLastAccessed[0].ServiceNamespace) != "iam" ||
			len(out.ServicesLastAccessed[0].TrackedActionsLastAccessed) == 0 {
			t.Fatalf("group services %+v", out.ServicesLastAccessed)
		}
		ents, err := c.GetServiceLastAccessedDetailsWithEntities(cx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: g.JobId, ServiceNamespace: aws.String("iam")})
		if err != nil {
			t.Fatal(err)
		}
		if len(ents.EntityDetailsList) != 1 || aws.ToString(ents.EntityDetailsList[0].EntityInfo.Name) != "admin" ||
			ents.EntityDetailsList[0].EntityInfo.Type != iamtypes.PolicyOwnerEntityTypeUser {
			t.Errorf("entities %+v", ents.EntityDetailsList)
		}
	})
	t.Run("policies granting access", func(t *testing.T) {
		out, err := c.ListPoliciesGrantingServiceAccess(cx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(adminARN), ServiceNamespaces: []string{"iam", "ec2"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.PoliciesGrantingServiceAccess) != 2 {
			t.Fatalf("entries %+v", out.PoliciesGrantingServiceAccess)
		}
		var names []string
		for _, p := range out.PoliciesGrantingServiceAccess[0].Policies {
			names = append(names, aws.ToString(p.PolicyName)+"/"+string(p.PolicyType))
		}
		if strings.Join(names, ",") != "AdministratorAccess/MANAGED,iam-read/INLINE" && strings.Join(names, ",") != "iam-read/INLINE,AdministratorAccess/MANAGED" {
			t.Errorf("iam is granted by %v", names)
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := c.GenerateServiceLastAccessedDetails(cx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + acct + ":role/nobody")})
		apiErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
		_, err = c.GetServiceLastAccessedDetails(cx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String("00000000-0000-8000-8000-000000000000")})
		apiErr(t, err, "NoSuchEntity", "cannot be found")
		_, err = c.GetServiceLastAccessedDetailsWithEntities(cx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String("00000000-0000-8000-8000-000000000000"), ServiceNamespace: aws.String("iam")})
		apiErr(t, err, "NoSuchEntity", "")
		_, err = c.ListPoliciesGrantingServiceAccess(cx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String("arn:aws:iam::" + acct + ":user/nobody"), ServiceNamespaces: []string{"iam"}})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.ListPoliciesGrantingServiceAccess(cx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(adminARN), ServiceNamespaces: []string{"nosuchservice"}})
		apiErr(t, err, "InvalidInput", "nosuchservice")
	})
}
