package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/account"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/server"
	"github.com/iamd/iamd/internal/store"
	iamdsts "github.com/iamd/iamd/internal/sts"
	"github.com/iamd/iamd/internal/totp"
)

// stsEnv is an in-process iamd (strict mode unless emulator) whose clock
// the test moves, so that expiry is tested without sleeping. The handler
// stamps the Date header from the same clock, from which aws-sdk-go-v2
// learns the server's time when a signature is refused as skewed, exactly
// as it does against AWS.
type stsEnv struct {
	t       testing.TB
	st      store.Store
	kr      *seal.Keyring
	url     string
	account string
	admin   creds

	mu     sync.Mutex
	offset time.Duration
}

func (e *stsEnv) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Now().Add(e.offset)
}

// advance moves the server clock.
func (e *stsEnv) advance(d time.Duration) {
	e.mu.Lock()
	e.offset += d
	e.mu.Unlock()
}

func newSTSEnv(t testing.TB, emulator bool) *stsEnv {
	t.Helper()
	dir := t.TempDir()
	st, kr, err := server.OpenData(dir, emulator)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &stsEnv{t: t, st: st, kr: kr}
	if emulator {
		if err := account.Ensure(context.Background(), st, server.EmulatorAccountID, time.Now()); err != nil {
			t.Fatal(err)
		}
		e.account = server.EmulatorAccountID
	} else {
		credsFile := filepath.Join(dir, "admin")
		created, err := account.Create(context.Background(), st, kr, account.Options{AdminCredentialsFile: func(string) string { return credsFile }})
		if err != nil {
			t.Fatal(err)
		}
		e.account = created.AccountID
		e.admin = readCredsFile(t, credsFile)
	}
	h := server.New(server.Options{Store: st, Keyring: kr, APIs: server.DefaultAPIs(st, kr), Emulator: emulator, Now: e.now})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", e.now().UTC().Format(http.TimeFormat))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

func readCredsFile(t testing.TB, path string) creds {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c creds
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			c.ID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			c.Secret = strings.TrimSpace(v)
		}
	}
	return c
}

// config is an SDK configuration for a credentials provider. Retries are
// allowed so that the SDK can correct a clock skew, as against AWS.
func (e *stsEnv) config(p aws.CredentialsProvider) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      p,
		BaseEndpoint:     aws.String(e.url),
		RetryMaxAttempts: 3,
	}
}

func static(c creds) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.ID, c.Secret, c.Token)
}

func (e *stsEnv) sts(c creds) *sts.Client { return sts.NewFromConfig(e.config(static(c))) }
func (e *stsEnv) iam(c creds) *iam.Client { return iam.NewFromConfig(e.config(static(c))) }

// user creates an IAM user with an inline policy (if any) and an access
// key, as the admin.
func (e *stsEnv) user(name, inlinePolicy string) (creds, string) {
	e.t.Helper()
	c := context.Background()
	admin := e.iam(e.admin)
	u, err := admin.CreateUser(c, &iam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
		e.t.Fatalf("CreateUser %s: %v", name, err)
	}
	if inlinePolicy != "" {
		if _, err := admin.PutUserPolicy(c, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(inlinePolicy)}); err != nil {
			e.t.Fatalf("PutUserPolicy %s: %v", name, err)
		}
	}
	k, err := admin.CreateAccessKey(c, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		e.t.Fatalf("CreateAccessKey %s: %v", name, err)
	}
	return creds{ID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)}, aws.ToString(u.User.Arn)
}

// role creates a role with a trust policy and optional settings.
func (e *stsEnv) role(name, trust string, maxSession int32) string {
	e.t.Helper()
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if maxSession > 0 {
		in.MaxSessionDuration = aws.Int32(maxSession)
	}
	r, err := e.iam(e.admin).CreateRole(context.Background(), in)
	if err != nil {
		e.t.Fatalf("CreateRole %s: %v", name, err)
	}
	return aws.ToString(r.Role.Arn)
}

// trustPolicy allows principal ARNs (AWS principals) the actions, with an
// optional condition block.
func trustPolicy(principals []string, actions []string, condition string) string {
	p, _ := json.Marshal(principals)
	a, _ := json.Marshal(actions)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":` + string(p) + `},"Action":` + string(a)
	if condition != "" {
		doc += `,"Condition":` + condition
	}
	return doc + `}]}`
}

const allowAssumeAnyRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}`

func sessionCreds(c *ststypes.Credentials) creds {
	return creds{ID: aws.ToString(c.AccessKeyId), Secret: aws.ToString(c.SecretAccessKey), Token: aws.ToString(c.SessionToken)}
}

// apiCode is the AWS error code of an SDK error, "" if there is none.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("succeeded; want %s", code)
	}
	if apiCode(err) != code {
		t.Fatalf("error %v; want code %s", err, code)
	}
	if message != "" && apiMessage(err) != message {
		t.Fatalf("message %q; want %q", apiMessage(err), message)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		if want := wantStatus(code); want != 0 && re.HTTPStatusCode() != want {
			t.Fatalf("%s answered with HTTP %d, want %d", code, re.HTTPStatusCode(), want)
		}
	}
}

// wantStatus is AWS's HTTP status for an error code, 0 if the test does
// not care.
func wantStatus(code string) int {
	switch code {
	case "AccessDenied", "InvalidClientTokenId", "ExpiredToken", "SignatureDoesNotMatch":
		return http.StatusForbidden
	case "ValidationError", "MalformedPolicyDocument", "PackedPolicyTooLarge", "InvalidParameterValue":
		return http.StatusBadRequest
	}
	return 0
}

var (
	asiaRE  = regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`)
	aroaRE  = regexp.MustCompile(`^AROA[A-Z2-7]{17}:`)
	tokenRE = regexp.MustCompile(`^[A-Za-z0-9+/=]{64,}$`)
)

// TestAssumeRoleProvider drives AssumeRole through aws-sdk-go-v2's own
// stscreds.AssumeRoleProvider and CredentialsCache: the SDK parses the
// credentials, signs with them (session token included), and, when they
// are due, assumes the role again and carries on with the new ones.
func TestAssumeRoleProvider(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, devARN := e.user("dev", allowAssumeAnyRole)
	roleARN := e.role("Deployer", trustPolicy([]string{devARN}, []string{"sts:AssumeRole"}, ""), 0)
	// The server's clock runs 14 minutes behind the client's (inside the
	// signature's 15-minute window), so a 15-minute session looks to the
	// SDK as if it ends in one minute; with the SDK's ExpiryWindow of two
	// minutes every retrieval after the first finds the credentials due.
	e.advance(-14 * time.Minute)
	provider := stscreds.NewAssumeRoleProvider(e.sts(dev), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "ci-run"
		o.Duration = 15 * time.Minute
	})
	cache := aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 2 * time.Minute })
	client := sts.NewFromConfig(e.config(cache))

	first, err := cache.Retrieve(ctx(t))
	if err != nil {
		t.Fatalf("AssumeRoleProvider: %v", err)
	}
	if !asiaRE.MatchString(first.AccessKeyID) || len(first.SecretAccessKey) != 40 || !tokenRE.MatchString(first.SessionToken) {
		t.Fatalf("credentials not in AWS's form: %+v", first)
	}
	// The cache reports the expiration less its ExpiryWindow.
	if left := first.Expires.Add(2 * time.Minute).Sub(e.now()); !first.CanExpire || left > 15*time.Minute+time.Second || left < 14*time.Minute {
		t.Fatalf("expiration %v is not 15 minutes after the server's %v", first.Expires, e.now())
	}
	id, err := client.GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with assumed-role credentials: %v", err)
	}
	wantARN := "arn:aws:sts::" + e.account + ":assumed-role/Deployer/ci-run"
	if aws.ToString(id.Arn) != wantARN || aws.ToString(id.Account) != e.account || !aroaRE.MatchString(aws.ToString(id.UserId)) ||
		!strings.HasSuffix(aws.ToString(id.UserId), ":ci-run") {
		t.Fatalf("GetCallerIdentity = %s %s %s; want %s", aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(id.Account), wantARN)
	}

	// The first session ends on the server; the SDK must refresh.
	e.advance(16 * time.Minute)
	if _, err := e.sts(creds{first.AccessKeyID, first.SecretAccessKey, first.SessionToken}).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{}); apiCode(err) != "ExpiredToken" {
		t.Fatalf("the first session after its end: %v; want ExpiredToken", err)
	}
	id, err = client.GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity after the SDK's refresh: %v", err)
	}
	second, err := cache.Retrieve(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessKeyID == first.AccessKeyID {
		t.Fatalf("the SDK did not refresh: still %s", first.AccessKeyID)
	}
	if aws.ToString(id.Arn) != wantARN {
		t.Fatalf("refreshed identity %s", aws.ToString(id.Arn))
	}

	// Assuming the role recorded its last use.
	r, err := e.iam(e.admin).GetRole(ctx(t), &iam.GetRoleInput{RoleName: aws.String("Deployer")})
	if err != nil {
		t.Fatal(err)
	}
	if r.Role.RoleLastUsed == nil || r.Role.RoleLastUsed.LastUsedDate == nil || aws.ToString(r.Role.RoleLastUsed.Region) != "us-east-1" {
		t.Fatalf("RoleLastUsed = %+v after AssumeRole", r.Role.RoleLastUsed)
	}
}

// TestRoleChaining assumes a role from a role session: the chained session
// is capped at one hour with AWS's message, and its identity is the second
// role's.
func TestRoleChaining(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, devARN := e.user("dev", allowAssumeAnyRole)
	firstARN := e.role("First", trustPolicy([]string{devARN}, []string{"sts:AssumeRole"}, ""), 43200)
	if _, err := e.iam(e.admin).PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String("First"), PolicyName: aws.String("chain"),
		PolicyDocument: aws.String(allowAssumeAnyRole)}); err != nil {
		t.Fatal(err)
	}
	secondARN := e.role("Second", trustPolicy([]string{firstARN}, []string{"sts:AssumeRole"}, ""), 43200)

	// A user may take the first role for 12 hours (its maximum).
	out, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(firstARN), RoleSessionName: aws.String("alice"),
		DurationSeconds: aws.Int32(43200)})
	if err != nil {
		t.Fatalf("AssumeRole for 12 hours: %v", err)
	}
	if d := out.Credentials.Expiration.Sub(e.now()); d < 12*time.Hour-time.Minute || d > 12*time.Hour+time.Minute {
		t.Fatalf("12-hour session ends in %v", d)
	}
	first := sessionCreds(out.Credentials)

	cases := []struct {
		name     string
		duration *int32
		code     string
		message  string
	}{
		{"two hours refused", aws.Int32(7200), "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."},
		{"default hour", nil, "", ""},
		{"one hour", aws.Int32(3600), "", ""},
		{"fifteen minutes", aws.Int32(900), "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := e.sts(first).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(secondARN), RoleSessionName: aws.String("chained"),
				DurationSeconds: c.duration})
			if c.code != "" {
				wantAPIError(t, err, c.code, c.message)
				return
			}
			if err != nil {
				t.Fatalf("chained AssumeRole: %v", err)
			}
			want := "arn:aws:sts::" + e.account + ":assumed-role/Second/chained"
			if aws.ToString(out.AssumedRoleUser.Arn) != want {
				t.Fatalf("AssumedRoleUser %s, want %s", aws.ToString(out.AssumedRoleUser.Arn), want)
			}
			id, err := e.sts(sessionCreds(out.Credentials)).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(id.Arn) != want {
				t.Fatalf("GetCallerIdentity of the chained session: %v %v", id, err)
			}
		})
	}

	// The second role does not trust the user directly.
	_, err = e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(secondARN), RoleSessionName: aws.String("direct")})
	wantAPIError(t, err, "AccessDenied", "User: "+devARN+" is not authorized to perform: sts:AssumeRole on resource: "+secondARN)
	// A role beyond its MaxSessionDuration.
	_, err = e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(firstARN), RoleSessionName: aws.String("long"),
		DurationSeconds: aws.Int32(43201)})
	wantAPIError(t, err, "ValidationError", "")
}

// TestExternalID decides with a trust policy that requires sts:ExternalId.
func TestExternalID(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, devARN := e.user("partner", allowAssumeAnyRole)
	roleARN := e.role("Vendor", trustPolicy([]string{devARN}, []string{"sts:AssumeRole"}, `{"StringEquals":{"sts:ExternalId":"Unique-ID-1234"}}`), 0)
	cases := []struct {
		name       string
		externalID *string
		allowed    bool
	}{
		{"matching external id", aws.String("Unique-ID-1234"), true},
		{"wrong external id", aws.String("Unique-ID-9999"), false},
		{"no external id", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), ExternalId: c.externalID})
			if c.allowed && err != nil {
				t.Fatalf("AssumeRole: %v", err)
			}
			if !c.allowed {
				wantAPIError(t, err, "AccessDenied", "User: "+devARN+" is not authorized to perform: sts:AssumeRole on resource: "+roleARN)
			}
		})
	}
	// The stscreds provider passes ExternalID through unchanged.
	p := stscreds.NewAssumeRoleProvider(e.sts(dev), roleARN, func(o *stscreds.AssumeRoleOptions) { o.ExternalID = aws.String("Unique-ID-1234") })
	if _, err := p.Retrieve(ctx(t)); err != nil {
		t.Fatalf("AssumeRoleProvider with ExternalID: %v", err)
	}
}

// TestTemporaryCredentialChecks: an expired session is ExpiredToken with
// AWS's message; a missing, wrong or foreign session token is
// InvalidClientTokenId; a long-term key with a token is refused too.
func TestTemporaryCredentialChecks(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, devARN := e.user("dev", allowAssumeAnyRole)
	roleARN := e.role("R", trustPolicy([]string{devARN}, []string{"sts:AssumeRole"}, ""), 0)
	assume := func() creds {
		out, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"),
			DurationSeconds: aws.Int32(900)})
		if err != nil {
			t.Fatal(err)
		}
		return sessionCreds(out.Credentials)
	}
	a, b := assume(), assume()
	invalid := "The security token included in the request is invalid."
	cases := []struct {
		name    string
		c       creds
		code    string
		message string
	}{
		{"valid", a, "", ""},
		{"wrong token", creds{a.ID, a.Secret, a.Token[:len(a.Token)-4] + "AAAA"}, "InvalidClientTokenId", invalid},
		{"missing token", creds{a.ID, a.Secret, ""}, "InvalidClientTokenId", invalid},
		{"another session's token", creds{a.ID, a.Secret, b.Token}, "InvalidClientTokenId", invalid},
		{"long-term key with a token", creds{dev.ID, dev.Secret, a.Token}, "InvalidClientTokenId", invalid},
		{"unknown temporary key", creds{"ASIAQQQQQQQQQQQQQQQQ", a.Secret, a.Token}, "InvalidClientTokenId", ""},
		{"wrong secret", creds{a.ID, b.Secret, a.Token}, "SignatureDoesNotMatch", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.sts(c.c).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
			if c.code == "" {
				if err != nil {
					t.Fatalf("GetCallerIdentity: %v", err)
				}
				return
			}
			wantAPIError(t, err, c.code, c.message)
		})
	}
	t.Run("expired", func(t *testing.T) {
		// 900 seconds later the session has ended. The jump is larger than
		// the signature window, so the SDK first corrects its clock from
		// the Date header, then gets the answer about the token.
		e.advance(900 * time.Second)
		_, err := e.sts(a).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, "ExpiredToken", "The security token included in the request is expired")
		// The long-term key that made it still works.
		if _, err := e.sts(dev).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("long-term key after the session expired: %v", err)
		}
	})
}

// TestSessionTags passes session tags with AssumeRole: they reach the next
// role's trust policy as aws:PrincipalTag when transitive, the request's
// tags as aws:RequestTag, and AWS's tag rules hold.
func TestSessionTags(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, devARN := e.user("dev", allowAssumeAnyRole)
	hubARN := e.role("Hub", trustPolicy([]string{devARN}, []string{"sts:AssumeRole", "sts:TagSession"}, `{"StringLike":{"aws:RequestTag/Team":"*"}}`), 0)
	if _, err := e.iam(e.admin).PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String("Hub"), PolicyName: aws.String("chain"),
		PolicyDocument: aws.String(allowAssumeAnyRole)}); err != nil {
		t.Fatal(err)
	}
	blueARN := e.role("BlueOnly", trustPolicy([]string{hubARN}, []string{"sts:AssumeRole", "sts:TagSession"}, `{"StringEquals":{"aws:PrincipalTag/Team":"blue"}}`), 0)
	hub := func(team string, transitive bool) creds {
		t.Helper()
		in := &sts.AssumeRoleInput{RoleArn: aws.String(hubARN), RoleSessionName: aws.String("s1"),
			Tags: []ststypes.Tag{{Key: aws.String("Team"), Value: aws.String(team)}, {Key: aws.String("Project"), Value: aws.String("x")}}}
		if transitive {
			in.TransitiveTagKeys = []string{"Team"}
		}
		out, err := e.sts(dev).AssumeRole(ctx(t), in)
		if err != nil {
			t.Fatalf("AssumeRole with tags: %v", err)
		}
		if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize > 100 {
			t.Fatalf("PackedPolicySize = %v", out.PackedPolicySize)
		}
		return sessionCreds(out.Credentials)
	}
	cases := []struct {
		name       string
		team       string
		transitive bool
		allowed    bool
	}{
		{"transitive blue tag", "blue", true, true},
		{"transitive red tag", "red", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.sts(hub(c.team, c.transitive)).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(blueARN), RoleSessionName: aws.String("next")})
			if c.allowed && err != nil {
				t.Fatalf("chained AssumeRole: %v", err)
			}
			if !c.allowed {
				wantAPIError(t, err, "AccessDenied", "")
			}
		})
	}
	t.Run("request tag condition", func(t *testing.T) {
		_, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(hubARN), RoleSessionName: aws.String("untagged")})
		wantAPIError(t, err, "AccessDenied", "")
	})
	t.Run("inherited transitive tag cannot be overridden", func(t *testing.T) {
		_, err := e.sts(hub("blue", true)).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(blueARN), RoleSessionName: aws.String("next"),
			Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})
		wantAPIError(t, err, "InvalidParameterValue", "")
	})
	t.Run("rules", func(t *testing.T) {
		tags := func(n int) []ststypes.Tag {
			var out []ststypes.Tag
			for i := range n {
				out = append(out, ststypes.Tag{Key: aws.String("k" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26))), Value: aws.String("v")})
			}
			return out
		}
		rules := []struct {
			name       string
			tags       []ststypes.Tag
			transitive []string
			code       string
		}{
			{"duplicate key in another case", []ststypes.Tag{{Key: aws.String("Team"), Value: aws.String("a")}, {Key: aws.String("TEAM"), Value: aws.String("b")}}, nil, "InvalidParameterValue"},
			{"transitive key not among the tags", []ststypes.Tag{{Key: aws.String("Team"), Value: aws.String("a")}}, []string{"Other"}, "InvalidParameterValue"},
			{"51 tags", tags(51), nil, "ValidationError"},
		}
		for _, r := range rules {
			t.Run(r.name, func(t *testing.T) {
				_, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(hubARN), RoleSessionName: aws.String("s1"),
					Tags: r.tags, TransitiveTagKeys: r.transitive})
				wantAPIError(t, err, r.code, "")
			})
		}
	})
}

// TestSessionPolicies checks the session policy rules of AssumeRole and
// that the session keeps them for enforcement.
func TestSessionPolicies(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, devARN := e.user("dev", allowAssumeAnyRole)
	roleARN := e.role("R", trustPolicy([]string{devARN}, []string{"sts:AssumeRole", "sts:TagSession"}, ""), 0)
	readOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`
	out, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"),
		Policy:     aws.String(readOnly),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}})
	if err != nil {
		t.Fatalf("AssumeRole with session policies: %v", err)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 || *out.PackedPolicySize > 100 {
		t.Fatalf("PackedPolicySize = %v", out.PackedPolicySize)
	}
	var sess store.Session
	if err := e.st.View(ctx(t), func(tx store.Tx) error {
		var err error
		sess, err = tx.GetSession(aws.ToString(out.Credentials.AccessKeyId))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if sess.Policy != readOnly || len(sess.PolicyARNs) != 1 || sess.PolicyARNs[0] != "arn:aws:iam::aws:policy/ReadOnlyAccess" ||
		sess.RoleName != "R" || sess.Name != "s1" || sess.Type != store.SessionAssumedRole {
		t.Fatalf("stored session %+v", sess)
	}
	if string(sess.Secret) == aws.ToString(out.Credentials.SecretAccessKey) || strings.Contains(string(sess.TokenHash), aws.ToString(out.Credentials.SessionToken)) {
		t.Fatal("the session's secret or token is stored in the clear")
	}

	big := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/k"},`, 30) +
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	var manyTags []ststypes.Tag
	for i := range 50 {
		// Long random-looking values do not compress.
		manyTags = append(manyTags, ststypes.Tag{Key: aws.String(strings.Repeat(string(rune('a'+i%26)), 1) + strings.Repeat("K", 100) + string(rune('A'+i/26))),
			Value: aws.String(randomText(t, 256))})
	}
	cases := []struct {
		name   string
		policy *string
		arns   []ststypes.PolicyDescriptorType
		tags   []ststypes.Tag
		code   string
		prefix string
	}{
		{"malformed inline policy", aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}`), nil, nil, "MalformedPolicyDocument", ""},
		{"inline policy over 2048 characters", aws.String(big), nil, nil, "ValidationError", ""},
		{"eleven policy ARNs", nil, func() []ststypes.PolicyDescriptorType {
			var out []ststypes.PolicyDescriptorType
			for range 11 {
				out = append(out, ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			}
			return out
		}(), nil, "ValidationError", ""},
		{"not a policy ARN", nil, []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::123456789012:role/x")}}, nil, "ValidationError", ""},
		{"packed size over the allowance", nil, nil, manyTags, "PackedPolicyTooLarge", "Packed policy consumes "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"),
				Policy: c.policy, PolicyArns: c.arns, Tags: c.tags})
			wantAPIError(t, err, c.code, "")
			if c.prefix != "" && !strings.HasPrefix(apiMessage(err), c.prefix) {
				t.Fatalf("message %q, want prefix %q", apiMessage(err), c.prefix)
			}
		})
	}
}

// randomText is n characters of random base64, which does not compress.
func randomText(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)[:n]
}

// TestCrossAccountAssumeRole needs both sides: the role's trust policy in
// one account and the caller's own identity policy in the other.
func TestCrossAccountAssumeRole(t *testing.T) {
	e := newSTSEnv(t, false)
	other, err := account.Create(ctx(t), e.st, e.kr, account.Options{AdminCredentialsFile: func(string) string { return filepath.Join(t.TempDir(), "other") }})
	if err != nil {
		t.Fatal(err)
	}
	// The role lives in the other account and trusts this account.
	otherAdmin := e.otherAdmin(t, other)
	r, err := e.iam(otherAdmin).CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String("Shared"),
		AssumeRolePolicyDocument: aws.String(trustPolicy([]string{"arn:aws:iam::" + e.account + ":root"}, []string{"sts:AssumeRole"}, ""))})
	if err != nil {
		t.Fatal(err)
	}
	roleARN := aws.ToString(r.Role.Arn)
	allowed, allowedARN := e.user("allowed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+roleARN+`"}]}`)
	bare, bareARN := e.user("bare", "")
	cases := []struct {
		name    string
		c       creds
		arn     string
		allowed bool
	}{
		{"identity policy allows", allowed, allowedARN, true},
		{"no identity policy", bare, bareARN, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := e.sts(c.c).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("x-acct")})
			if !c.allowed {
				wantAPIError(t, err, "AccessDenied", "User: "+c.arn+" is not authorized to perform: sts:AssumeRole on resource: "+roleARN)
				return
			}
			if err != nil {
				t.Fatalf("cross-account AssumeRole: %v", err)
			}
			id, err := e.sts(sessionCreds(out.Credentials)).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(id.Account) != other.AccountID || aws.ToString(id.Arn) != "arn:aws:sts::"+other.AccountID+":assumed-role/Shared/x-acct" {
				t.Fatalf("cross-account session is %s in %s", aws.ToString(id.Arn), aws.ToString(id.Account))
			}
			info, err := e.sts(e.admin).GetAccessKeyInfo(ctx(t), &sts.GetAccessKeyInfoInput{AccessKeyId: out.Credentials.AccessKeyId})
			if err != nil || aws.ToString(info.Account) != other.AccountID {
				t.Fatalf("GetAccessKeyInfo of the session key: %v %v", info, err)
			}
		})
	}
}

// otherAdmin reads the admin key account.Create wrote for another account.
func (e *stsEnv) otherAdmin(t *testing.T, created account.Created) creds {
	t.Helper()
	var c creds
	if err := e.st.Update(ctx(t), func(tx store.Tx) error {
		k, err := tx.GetAccessKey(created.AdminKeyID)
		if err != nil {
			return err
		}
		secret, err := e.kr.Open(k.Secret, []byte(k.ID))
		c = creds{ID: k.ID, Secret: string(secret)}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return c
}

// mfaUser creates a user with an enabled virtual MFA device and returns
// the key, the serial number and the seed.
func (e *stsEnv) mfaUser(t *testing.T, name string) (creds, string, []byte) {
	t.Helper()
	c, _ := e.user(name, "")
	admin := e.iam(e.admin)
	d, err := admin.CreateVirtualMFADevice(ctx(t), &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	seed, err := totp.DecodeSeed(string(d.VirtualMFADevice.Base32StringSeed))
	if err != nil {
		t.Fatal(err)
	}
	step := totp.Step(e.now())
	c1, _ := totp.Code(seed, step-1)
	c2, _ := totp.Code(seed, step)
	if _, err := admin.EnableMFADevice(ctx(t), &iam.EnableMFADeviceInput{UserName: aws.String(name), SerialNumber: d.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)}); err != nil {
		t.Fatalf("EnableMFADevice: %v", err)
	}
	// Later codes only: the enabling ones are spent.
	e.advance(2 * totp.Period)
	return c, aws.ToString(d.VirtualMFADevice.SerialNumber), seed
}

// TestGetSessionToken issues a user's temporary credentials, with and
// without MFA, and refuses what AWS refuses.
func TestGetSessionToken(t *testing.T) {
	e := newSTSEnv(t, false)
	alice, serial, seed := e.mfaUser(t, "alice")
	_, otherSerial, _ := e.mfaUser(t, "bob")
	code := func() string {
		c, err := totp.Code(seed, totp.Step(e.now()))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	plain, err := e.sts(alice).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	if d := plain.Credentials.Expiration.Sub(e.now()); d < 12*time.Hour-time.Minute || d > 12*time.Hour+time.Minute {
		t.Fatalf("default session lasts %v, want 12 hours", d)
	}
	good := code()
	withMFA, err := e.sts(alice).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129600),
		SerialNumber: aws.String(serial), TokenCode: aws.String(good)})
	if err != nil {
		t.Fatalf("GetSessionToken with MFA: %v", err)
	}
	if d := withMFA.Credentials.Expiration.Sub(e.now()); d < 36*time.Hour-time.Minute || d > 36*time.Hour+time.Minute {
		t.Fatalf("36-hour session lasts %v", d)
	}
	for _, tc := range []struct {
		name string
		out  *sts.GetSessionTokenOutput
		mfa  bool
	}{{"without MFA", plain, false}, {"with MFA", withMFA, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := sessionCreds(tc.out.Credentials)
			id, err := e.sts(c).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::"+e.account+":user/alice" {
				t.Fatalf("GetCallerIdentity with session credentials: %v %v", id, err)
			}
			var sess store.Session
			if err := e.st.View(ctx(t), func(tx store.Tx) error {
				sess, err = tx.GetSession(c.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if sess.Type != store.SessionToken || sess.UserName != "alice" || sess.MFAAuthenticated != tc.mfa || sess.MFAAuthTime.IsZero() == tc.mfa {
				t.Fatalf("stored session %+v", sess)
			}
			_, err = e.sts(c).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{})
			wantAPIError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
		})
	}

	refusals := []struct {
		name    string
		serial  *string
		code    *string
		message string
	}{
		{"code used already", aws.String(serial), aws.String(good), "MultiFactorAuthentication failed with invalid MFA one time pass code. "},
		{"wrong code", aws.String(serial), aws.String("000000"), "MultiFactorAuthentication failed with invalid MFA one time pass code. "},
		{"another user's device", aws.String(otherSerial), aws.String("123456"), "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."},
		{"no such device", aws.String("arn:aws:iam::" + e.account + ":mfa/nobody"), aws.String("123456"), "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."},
		{"serial without code", aws.String(serial), nil, "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			_, err := e.sts(alice).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{SerialNumber: r.serial, TokenCode: r.code})
			wantAPIError(t, err, "AccessDenied", r.message)
		})
	}
}

// TestMFAInTrustPolicy assumes a role whose trust policy requires MFA:
// refused without it, allowed with a valid code.
func TestMFAInTrustPolicy(t *testing.T) {
	e := newSTSEnv(t, false)
	alice, serial, seed := e.mfaUser(t, "alice")
	if _, err := e.iam(e.admin).PutUserPolicy(ctx(t), &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(allowAssumeAnyRole)}); err != nil {
		t.Fatal(err)
	}
	roleARN := e.role("Admin", trustPolicy([]string{"arn:aws:iam::" + e.account + ":user/alice"}, []string{"sts:AssumeRole"},
		`{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), 0)
	_, err := e.sts(alice).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("no-mfa")})
	wantAPIError(t, err, "AccessDenied", "")
	code, _ := totp.Code(seed, totp.Step(e.now()))
	p := stscreds.NewAssumeRoleProvider(e.sts(alice), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.SerialNumber = aws.String(serial)
		o.TokenProvider = func() (string, error) { return code, nil }
	})
	got, err := p.Retrieve(ctx(t))
	if err != nil {
		t.Fatalf("AssumeRoleProvider with MFA: %v", err)
	}
	var sess store.Session
	if err := e.st.View(ctx(t), func(tx store.Tx) error {
		sess, err = tx.GetSession(got.AccessKeyID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !sess.MFAAuthenticated {
		t.Fatal("the MFA-authenticated role session does not record MFA")
	}
}

// TestGetFederationToken makes a federated user, with and without a
// session policy.
func TestGetFederationToken(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, _ := e.user("broker", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	cases := []struct {
		name   string
		policy *string
	}{
		{"no session policy", nil},
		{"session policy", aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := e.sts(dev).GetFederationToken(ctx(t), &sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: c.policy,
				Tags: []ststypes.Tag{{Key: aws.String("Dept"), Value: aws.String("eng")}}})
			if err != nil {
				t.Fatalf("GetFederationToken: %v", err)
			}
			wantARN := "arn:aws:sts::" + e.account + ":federated-user/bob"
			if aws.ToString(out.FederatedUser.Arn) != wantARN || aws.ToString(out.FederatedUser.FederatedUserId) != e.account+":bob" {
				t.Fatalf("FederatedUser = %+v", out.FederatedUser)
			}
			if d := out.Credentials.Expiration.Sub(e.now()); d < 12*time.Hour-time.Minute || d > 12*time.Hour+time.Minute {
				t.Fatalf("default federation session lasts %v", d)
			}
			fed := sessionCreds(out.Credentials)
			id, err := e.sts(fed).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(id.Arn) != wantARN || aws.ToString(id.UserId) != e.account+":bob" {
				t.Fatalf("GetCallerIdentity of the federated user: %v %v", id, err)
			}
			var sess store.Session
			if err := e.st.View(ctx(t), func(tx store.Tx) error {
				sess, err = tx.GetSession(fed.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if sess.Type != store.SessionFederatedUser || sess.UserName != "broker" || sess.Policy != aws.ToString(c.policy) ||
				len(sess.PolicyARNs) != 0 || len(sess.Tags) != 1 {
				t.Fatalf("stored session %+v", sess)
			}
			// Federated users may call no STS operation but
			// GetCallerIdentity: without a session policy enforcement
			// refuses first (no permissions at all); with one that allows
			// everything, STS itself refuses.
			_, err = e.sts(fed).GetFederationToken(ctx(t), &sts.GetFederationTokenInput{Name: aws.String("eve")})
			if c.policy == nil {
				wantAPIError(t, err, "AccessDenied", "")
			} else {
				wantAPIError(t, err, "AccessDenied", "Cannot call GetFederationToken with session credentials")
			}
		})
	}
}

// TestRootAndOtherOperations covers the answers STS gives without making a
// session.
func TestRootAndOtherOperations(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, devARN := e.user("dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}`)
	roleARN := e.role("R", trustPolicy([]string{devARN}, []string{"sts:AssumeRole"}, ""), 0)

	// A root access key, made in the store as iamd never hands one out.
	root := creds{ID: "AKIA" + strings.Repeat("R", 16), Secret: randomText(t, 40)}
	sealed, err := e.kr.Seal([]byte(root.Secret), []byte(root.ID))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.Update(ctx(t), func(tx store.Tx) error {
		return tx.CreateAccessKey(store.AccessKey{ID: root.ID, Account: e.account, Secret: sealed, Status: store.AccessKeyActive, Created: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	_, err = e.sts(root).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("root")})
	wantAPIError(t, err, "AccessDenied", "Roles may not be assumed by root accounts.")
	st, err := e.sts(root).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(7200)})
	if err != nil {
		t.Fatalf("root GetSessionToken: %v", err)
	}
	if d := st.Credentials.Expiration.Sub(e.now()); d > time.Hour+time.Minute {
		t.Fatalf("root session lasts %v, more than AWS's hour", d)
	}
	id, err := e.sts(sessionCreds(st.Credentials)).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::"+e.account+":root" || aws.ToString(id.UserId) != e.account {
		t.Fatalf("root session identity: %v %v", id, err)
	}

	// No account of iamd is an organization's management account.
	_, err = e.sts(dev).AssumeRoot(ctx(t), &sts.AssumeRootInput{TargetPrincipal: aws.String(e.account),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}})
	wantAPIError(t, err, "AccessDenied", "User: "+devARN+" is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::"+e.account+":root")
	_, err = e.sts(dev).GetWebIdentityToken(ctx(t), &sts.GetWebIdentityTokenInput{Audience: []string{"https://example.com"}, SigningAlgorithm: aws.String("RS256")})
	wantAPIError(t, err, "OutboundWebIdentityFederationDisabledException", "")
	_, err = e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + e.account + ":role/Missing"), RoleSessionName: aws.String("x1")})
	wantAPIError(t, err, "AccessDenied", "User: "+devARN+" is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+e.account+":role/Missing")
	_, err = e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + e.account + ":user/dev"), RoleSessionName: aws.String("x1")})
	wantAPIError(t, err, "ValidationError", "")
}

// TestDecodeAuthorizationMessage decodes what enforcement encodes, only for
// callers of the message's account.
func TestDecodeAuthorizationMessage(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, devARN := e.user("dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:DecodeAuthorizationMessage","Resource":"*"}]}`)
	msg := iamdsts.AuthorizationMessage{
		ExplicitDeny: true,
		MatchedStatements: iamdsts.Items[iamdsts.AuthorizationStatement]{Items: []iamdsts.AuthorizationStatement{{
			StatementID: "DenyAll", Effect: "DENY",
			Actions:   iamdsts.Items[iamdsts.Value]{Items: []iamdsts.Value{{Value: "iam:*"}}},
			Resources: iamdsts.Items[iamdsts.Value]{Items: []iamdsts.Value{{Value: "*"}}},
		}}},
		Context: iamdsts.AuthorizationContext{
			Principal: iamdsts.AuthorizationPrincipal{ID: "AIDAEXAMPLE", Name: "dev", ARN: devARN},
			Action:    "iam:CreateUser",
			Resource:  "arn:aws:iam::" + e.account + ":user/x",
			Conditions: iamdsts.Items[iamdsts.AuthorizationCondition]{Items: []iamdsts.AuthorizationCondition{
				{Key: "aws:username", Values: iamdsts.Items[iamdsts.Value]{Items: []iamdsts.Value{{Value: "dev"}}}},
			}},
		},
	}
	encoded, err := iamdsts.EncodeAuthorizationMessage(e.kr, e.account, msg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.sts(dev).DecodeAuthorizationMessage(ctx(t), &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(encoded)})
	if err != nil {
		t.Fatalf("DecodeAuthorizationMessage: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.DecodedMessage)), &got); err != nil {
		t.Fatalf("decoded message is not JSON: %v", err)
	}
	if got["allowed"] != false || got["explicitDeny"] != true {
		t.Fatalf("decoded %v", got)
	}
	ctxt := got["context"].(map[string]any)
	if ctxt["action"] != "iam:CreateUser" || ctxt["principal"].(map[string]any)["arn"] != devARN {
		t.Fatalf("decoded context %v", ctxt)
	}
	if items := got["failures"].(map[string]any)["items"].([]any); len(items) != 0 {
		t.Fatalf("failures %v, want an empty items list", items)
	}
	foreign, err := iamdsts.EncodeAuthorizationMessage(e.kr, "111122223333", msg)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]string{"another account's message": foreign, "not a message": "bm90IGEgbWVzc2FnZQ", "tampered": encoded[:len(encoded)-2] + "AA"} {
		t.Run(name, func(t *testing.T) {
			_, err := e.sts(dev).DecodeAuthorizationMessage(ctx(t), &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(m)})
			wantAPIError(t, err, "InvalidAuthorizationMessageException", "")
		})
	}
}

// TestEmulatorAssumesAnyRole: in emulator mode with authentication off, a
// role that does not exist, in any account, can be assumed, and the
// session acts in that account.
func TestEmulatorAssumesAnyRole(t *testing.T) {
	e := newSTSEnv(t, true)
	anyone := creds{ID: "AKIAIOSFODNN7EXAMPLE", Secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	cases := []struct {
		name, roleARN, account, wantARN string
	}{
		{"default account", "arn:aws:iam::123456789012:role/ci", "123456789012", "arn:aws:sts::123456789012:assumed-role/ci/emu"},
		{"another account, with a path", "arn:aws:iam::210987654321:role/team/deploy", "210987654321", "arn:aws:sts::210987654321:assumed-role/deploy/emu"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := e.sts(anyone).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(c.roleARN), RoleSessionName: aws.String("emu")})
			if err != nil {
				t.Fatalf("emulator AssumeRole: %v", err)
			}
			if aws.ToString(out.AssumedRoleUser.Arn) != c.wantARN {
				t.Fatalf("AssumedRoleUser %s", aws.ToString(out.AssumedRoleUser.Arn))
			}
			id, err := e.sts(sessionCreds(out.Credentials)).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatalf("GetCallerIdentity with the emulated role's session: %v", err)
			}
			if aws.ToString(id.Account) != c.account || aws.ToString(id.Arn) != c.wantARN {
				t.Fatalf("session acts as %s in %s", aws.ToString(id.Arn), aws.ToString(id.Account))
			}
		})
	}
}

// TestSessionTokenCredentialsAreChained: AWS caps a role session requested
// with GetSessionToken's credentials at one hour too.
func TestSessionTokenCredentialsAreChained(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, devARN := e.user("dev", allowAssumeAnyRole)
	roleARN := e.role("Long", trustPolicy([]string{devARN}, []string{"sts:AssumeRole"}, ""), 43200)
	st, err := e.sts(dev).GetSessionToken(ctx(t), &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.sts(sessionCreds(st.Credentials)).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN),
		RoleSessionName: aws.String("from-token"), DurationSeconds: aws.Int32(7200)})
	wantAPIError(t, err, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	out, err := e.sts(sessionCreds(st.Credentials)).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN),
		RoleSessionName: aws.String("from-token")})
	if err != nil {
		t.Fatalf("AssumeRole with session token credentials: %v", err)
	}
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::"+e.account+":assumed-role/Long/from-token" {
		t.Fatalf("AssumedRoleUser %s", aws.ToString(out.AssumedRoleUser.Arn))
	}
}

// TestSessionPermissions checks that what a session carries limits it once
// enforcement decides: a role session's session policy, and a federated
// user, which without a session policy has no permissions at all.
func TestSessionPermissions(t *testing.T) {
	e := newSTSEnv(t, false)
	everything := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	dev, devARN := e.user("dev", everything)
	roleARN := e.role("Admin", trustPolicy([]string{devARN}, []string{"sts:AssumeRole"}, ""), 0)
	if _, err := e.iam(e.admin).PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String("Admin"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(everything)}); err != nil {
		t.Fatal(err)
	}
	getOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`
	limited, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("limited"),
		Policy: aws.String(getOnly)})
	if err != nil {
		t.Fatal(err)
	}
	full, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("full")})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("role session without session policy", func(t *testing.T) {
		if _, err := e.iam(sessionCreds(full.Credentials)).ListUsers(ctx(t), &iam.ListUsersInput{}); err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
	})
	t.Run("role session limited by its session policy", func(t *testing.T) {
		c := sessionCreds(limited.Credentials)
		if _, err := e.iam(c).GetRole(ctx(t), &iam.GetRoleInput{RoleName: aws.String("Admin")}); err != nil {
			t.Fatalf("GetRole, which the session policy allows: %v", err)
		}
		_, err := e.iam(c).ListUsers(ctx(t), &iam.ListUsersInput{})
		wantAPIError(t, err, "AccessDenied", "")
		if !strings.Contains(apiMessage(err), "arn:aws:sts::"+e.account+":assumed-role/Admin/limited") || !strings.Contains(apiMessage(err), "session policy") {
			t.Fatalf("denial %q does not name the session and its session policy", apiMessage(err))
		}
	})

	fed := func(policy *string) creds {
		out, err := e.sts(dev).GetFederationToken(ctx(t), &sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: policy})
		if err != nil {
			t.Fatal(err)
		}
		return sessionCreds(out.Credentials)
	}
	t.Run("federated user without session policy", func(t *testing.T) {
		_, err := e.sts(fed(nil)).GetAccessKeyInfo(ctx(t), &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(dev.ID)})
		wantAPIError(t, err, "AccessDenied", "")
		if !strings.Contains(apiMessage(err), "federated-user/bob") {
			t.Fatalf("denial %q does not name the federated user", apiMessage(err))
		}
	})
	t.Run("federated user with a session policy", func(t *testing.T) {
		p := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetAccessKeyInfo","Resource":"*"}]}`
		info, err := e.sts(fed(aws.String(p))).GetAccessKeyInfo(ctx(t), &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(dev.ID)})
		if err != nil || aws.ToString(info.Account) != e.account {
			t.Fatalf("GetAccessKeyInfo allowed by the session policy: %v %v", info, err)
		}
	})
	t.Run("federated user calling IAM", func(t *testing.T) {
		_, err := e.iam(fed(aws.String(everything))).ListUsers(ctx(t), &iam.ListUsersInput{})
		wantAPIError(t, err, "InvalidClientTokenId", "")
	})
}

// BenchmarkAssumeRole measures AssumeRole end to end over HTTP with
// aws-sdk-go-v2: signature, trust policy and caller policies, session
// minting (sealing, hashing) and the store write.
func BenchmarkAssumeRole(b *testing.B) {
	e := newSTSEnv(b, false)
	dev, devARN := e.user("dev", allowAssumeAnyRole)
	roleARN := e.role("R", trustPolicy([]string{devARN}, []string{"sts:AssumeRole"}, ""), 0)
	client := e.sts(dev)
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("bench")}
	b.ResetTimer()
	for b.Loop() {
		if _, err := client.AssumeRole(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallerIdentity compares a request signed with a role session's
// temporary credentials (session lookup, unsealing, token hash) with the
// same request signed with a long-term key.
func BenchmarkCallerIdentity(b *testing.B) {
	e := newSTSEnv(b, false)
	dev, devARN := e.user("dev", allowAssumeAnyRole)
	roleARN := e.role("R", trustPolicy([]string{devARN}, []string{"sts:AssumeRole"}, ""), 43200)
	out, err := e.sts(dev).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("bench"),
		DurationSeconds: aws.Int32(43200)})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		c    creds
	}{{"long-term key", dev}, {"session credentials", sessionCreds(out.Credentials)}} {
		b.Run(c.name, func(b *testing.B) {
			client := e.sts(c.c)
			for b.Loop() {
				if _, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSourceIdentity: a source identity set once is carried through role
// chaining, cannot change, and needs sts:SetSourceIdentity in every trust
// policy it passes.
func TestSourceIdentity(t *testing.T) {
	e := newSTSEnv(t, false)
	dev, devARN := e.user("dev", allowAssumeAnyRole)
	firstARN := e.role("First", trustPolicy([]string{devARN}, []string{"sts:AssumeRole", "sts:SetSourceIdentity"},
		`{"StringEquals":{"sts:SourceIdentity":"alice"}}`), 0)
	if _, err := e.iam(e.admin).PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String("First"), PolicyName: aws.String("chain"),
		PolicyDocument: aws.String(allowAssumeAnyRole)}); err != nil {
		t.Fatal(err)
	}
	withSI := e.role("WithSourceIdentity", trustPolicy([]string{firstARN}, []string{"sts:AssumeRole", "sts:SetSourceIdentity"}, ""), 0)
	withoutSI := e.role("WithoutSourceIdentity", trustPolicy([]string{firstARN}, []string{"sts:AssumeRole"}, ""), 0)

	_, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(firstARN), RoleSessionName: aws.String("s1"),
		SourceIdentity: aws.String("mallory")})
	wantAPIError(t, err, "AccessDenied", "")
	out, err := e.sts(dev).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(firstARN), RoleSessionName: aws.String("s1"),
		SourceIdentity: aws.String("alice")})
	if err != nil {
		t.Fatalf("AssumeRole with a source identity: %v", err)
	}
	if aws.ToString(out.SourceIdentity) != "alice" {
		t.Fatalf("SourceIdentity = %q", aws.ToString(out.SourceIdentity))
	}
	first := sessionCreds(out.Credentials)
	cases := []struct {
		name    string
		role    string
		si      *string
		code    string
		message string
	}{
		{"carried on", withSI, nil, "", ""},
		{"same again", withSI, aws.String("alice"), "", ""},
		{"changed", withSI, aws.String("bob"), "InvalidParameterValue", ""},
		{"trust policy without sts:SetSourceIdentity", withoutSI, nil, "AccessDenied",
			"User: arn:aws:sts::" + e.account + ":assumed-role/First/s1 is not authorized to perform: sts:SetSourceIdentity on resource: " + withoutSI},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := e.sts(first).AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(c.role), RoleSessionName: aws.String("s2"), SourceIdentity: c.si})
			if c.code != "" {
				wantAPIError(t, err, c.code, c.message)
				return
			}
			if err != nil {
				t.Fatalf("chained AssumeRole: %v", err)
			}
			if aws.ToString(out.SourceIdentity) != "alice" {
				t.Fatalf("chained SourceIdentity = %q", aws.ToString(out.SourceIdentity))
			}
		})
	}
}
