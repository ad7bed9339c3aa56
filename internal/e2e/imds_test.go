package e2e_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var imdsListenRE = regexp.MustCompile(`msg="imds listening" addr=(http://[0-9.:]+)`)

// TestIMDSDefaultCredentialChain runs `iamd serve --imds ... --instance-profile
// NAME` and lets aws-sdk-go-v2's default config loader find the
// credentials the way it finds them on EC2: no keys in the environment or
// in files, AWS_EC2_METADATA_SERVICE_ENDPOINT pointing at iamd. The signed
// GetCallerIdentity that follows must come back as the profile's role.
func TestIMDSDefaultCredentialChain(t *testing.T) {
	in := start(t, "", "--imds", "127.0.0.1:0", "--instance-profile", "WebServer")
	var imdsURL string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := imdsListenRE.FindStringSubmatch(in.Log()); m != nil {
			imdsURL = m[1]
			break
		}
	}
	if imdsURL == "" {
		t.Fatalf("no imds listener in the log:\n%s", in.Log())
	}

	// The instance profile does not exist yet: the endpoint has no role.
	if status := imdsGetV2(t, imdsURL, "/latest/meta-data/iam/security-credentials/"); status != http.StatusNotFound {
		t.Fatalf("credentials list before the profile exists: %d, want 404", status)
	}

	admin := in.IAM(in.adminCreds(t))
	c := ctx(t)
	ec2Trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := admin.CreateRole(c, &iam.CreateRoleInput{RoleName: aws.String("WebServerRole"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateInstanceProfile(c, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("WebServer")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddRoleToInstanceProfile(c, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("WebServer"),
		RoleName: aws.String("WebServerRole")}); err != nil {
		t.Fatal(err)
	}

	// An environment with no credentials but the metadata service.
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_V1_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/iamd-e2e/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/iamd-e2e/credentials")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imdsURL)
	cfg, err := config.LoadDefaultConfig(c, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatalf("LoadDefaultConfig: %v", err)
	}
	got, err := cfg.Credentials.Retrieve(c)
	if err != nil {
		t.Fatalf("the default chain found no credentials: %v", err)
	}
	if !strings.HasPrefix(got.AccessKeyID, "ASIA") || got.SessionToken == "" || !got.CanExpire ||
		got.Expires.Before(time.Now().Add(50*time.Minute)) || !strings.Contains(got.Source, "EC2RoleProvider") {
		t.Fatalf("credentials from the metadata service: %+v", got)
	}
	id, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(in.URL) }).GetCallerIdentity(c, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("signed GetCallerIdentity with the instance credentials: %v", err)
	}
	acct := strings.Split(aws.ToString(role.Role.Arn), ":")[4]
	if !regexp.MustCompile(`^arn:aws:sts::`+acct+`:assumed-role/WebServerRole/i-[0-9a-f]{17}$`).MatchString(aws.ToString(id.Arn)) ||
		aws.ToString(id.Account) != acct {
		t.Fatalf("GetCallerIdentity = %s in %s", aws.ToString(id.Arn), aws.ToString(id.Account))
	}

	// IMDSv1 is refused.
	if status := imdsGet(t, imdsURL, "/latest/meta-data/iam/security-credentials/"); status != http.StatusUnauthorized {
		t.Fatalf("IMDSv1 request: %d, want 401", status)
	}
}

// TestIMDSRoleMustTrustEC2: a profile whose role does not trust
// ec2.amazonaws.com yields no credentials, as on EC2.
func TestIMDSRoleMustTrustEC2(t *testing.T) {
	in := start(t, "", "--imds", "127.0.0.1:0", "--instance-profile", "Untrusted")
	var imdsURL string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := imdsListenRE.FindStringSubmatch(in.Log()); m != nil {
			imdsURL = m[1]
			break
		}
	}
	admin := in.IAM(in.adminCreds(t))
	c := ctx(t)
	lambdaTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := admin.CreateRole(c, &iam.CreateRoleInput{RoleName: aws.String("LambdaRole"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateInstanceProfile(c, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("Untrusted")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddRoleToInstanceProfile(c, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("Untrusted"),
		RoleName: aws.String("LambdaRole")}); err != nil {
		t.Fatal(err)
	}
	if status := imdsGetV2(t, imdsURL, "/latest/meta-data/iam/security-credentials/"); status != http.StatusNotFound {
		t.Fatalf("credentials for a role that does not trust EC2: %d, want 404", status)
	}
	// The reason goes to the log (read from the process asynchronously).
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(in.Log(), "does not allow ec2.amazonaws.com"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the log does not say why:\n%s", in.Log())
		}
	}
}

func imdsGet(t *testing.T, base, path string) int {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// imdsGetV2 reads a path with a fresh IMDSv2 token.
func imdsGetV2(t *testing.T, base, path string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPut, base+"/latest/api/token", nil)
	req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "60")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	req, _ = http.NewRequestWithContext(context.Background(), http.MethodGet, base+path, nil)
	req.Header.Set("X-aws-ec2-metadata-token", string(tok))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
