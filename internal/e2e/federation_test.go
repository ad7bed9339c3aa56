package e2e_test

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/iamd/iamd/internal/oidc"
	"github.com/iamd/iamd/internal/oidc/oidctest"
	"github.com/iamd/iamd/internal/saml/samltest"
)

// fedErr asserts an AWS error with the code, the HTTP status AWS answers
// it with, and (when given) a message starting with msg.
func fedErr(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && !strings.HasPrefix(ae.ErrorMessage(), msg) {
		t.Fatalf("%s message %q, want it to start with %q", code, ae.ErrorMessage(), msg)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("%s: HTTP status %v, want %d", code, err, status)
	}
}

// tokenFunc hands the SDK's web identity provider a token, as a token file
// would.
type tokenFunc func() string

func (f tokenFunc) GetIdentityToken() ([]byte, error) { return []byte(f()), nil }

// fedEnv is a strict-mode iamd whose web identity verifier trusts the test
// CA through IAMD_EXTRA_CA_FILE.
type fedEnv struct {
	in      *instance
	admin   *iam.Client
	account string
	ca      *oidctest.CA
}

// newFedEnv sets IAMD_EXTRA_CA_FILE for the iamd process it starts, so the
// test must not run in parallel with others (t.Setenv refuses that).
func newFedEnv(t *testing.T) *fedEnv {
	t.Helper()
	ca := oidctest.NewCA(t, "iamd federation test CA")
	t.Setenv(oidc.ExtraCAFileEnv, ca.WriteFile(t))
	in := start(t, "")
	admin := in.adminCreds(t)
	id, err := in.STS(admin).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	return &fedEnv{in: in, admin: in.IAM(admin), account: aws.ToString(id.Account), ca: ca}
}

// anonymousSTS is an STS client without credentials, as the federation
// calls are made.
func (e *fedEnv) anonymousSTS() *sts.Client {
	return sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(e.in.URL), RetryMaxAttempts: 1})
}

// role creates a role with a trust policy and an inline policy allowing
// iam:GetRole.
func (e *fedEnv) role(t *testing.T, name, trust string) string {
	t.Helper()
	r, err := e.admin.CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	if _, err := e.admin.PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("read-role"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(r.Role.Arn)
}

// federatedTrust is a trust policy for a Federated principal.
func federatedTrust(provider string, actions []string, condition string) string {
	doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":["%s"]`,
		provider, strings.Join(actions, `","`))
	if condition != "" {
		doc += `,"Condition":` + condition
	}
	return doc + `}]}`
}

// checkSession uses temporary credentials: GetCallerIdentity names the
// assumed role, the role's policy allows iam:GetRole, and nothing allows
// iam:ListUsers.
func (e *fedEnv) checkSession(t *testing.T, c creds, roleName, session string) {
	t.Helper()
	id, err := e.in.STS(c).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the session: %v", err)
	}
	if want := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", e.account, roleName, session); aws.ToString(id.Arn) != want {
		t.Fatalf("caller %s, want %s", aws.ToString(id.Arn), want)
	}
	if _, err := e.in.IAM(c).GetRole(ctx(t), &iam.GetRoleInput{RoleName: aws.String(roleName)}); err != nil {
		t.Fatalf("GetRole, allowed by the role's policy: %v", err)
	}
	_, err = e.in.IAM(c).ListUsers(ctx(t), &iam.ListUsersInput{})
	fedErr(t, err, "AccessDenied", http.StatusForbidden, "")
}

// TestWebIdentityFederation drives AssumeRoleWithWebIdentity end to end:
// a test OpenID Connect issuer serves its discovery document and JWKS over
// HTTPS on loopback (certificate from a test CA that iamd trusts through
// IAMD_EXTRA_CA_FILE), aws-sdk-go-v2's stscreds.WebIdentityRoleProvider
// exchanges its tokens for credentials that then authenticate requests,
// and forged, expired and misdirected tokens get AWS's error codes.
func TestWebIdentityFederation(t *testing.T) {
	e := newFedEnv(t)
	cx := ctx(t)
	iss := oidctest.NewIssuer(t, e.ca)
	const client = "sts.amazonaws.com"
	if _, err := e.admin.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(iss.URL), ClientIDList: []string{client}}); err != nil {
		t.Fatal(err)
	}
	provider := fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", e.account, iss.ID())
	id := iss.ID()
	roleARN := e.role(t, "ci-deploy", federatedTrust(provider, []string{"sts:AssumeRoleWithWebIdentity"},
		fmt.Sprintf(`{"StringEquals":{%q:%q},"StringLike":{%q:"repo:octo/app:*"}}`, id+":aud", client, id+":sub")))
	taggedARN := e.role(t, "tagged", federatedTrust(provider, []string{"sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity"},
		fmt.Sprintf(`{"ForAnyValue:StringEquals":{%q:["mfa"]}}`, id+":amr")))
	untaggableARN := e.role(t, "untaggable", federatedTrust(provider, []string{"sts:AssumeRoleWithWebIdentity"}, ""))
	claims := func(sub string) map[string]any { return iss.Claims(sub, client) }

	t.Run("stscreds.WebIdentityRoleProvider", func(t *testing.T) {
		calls := 0
		p := stscreds.NewWebIdentityRoleProvider(e.anonymousSTS(), roleARN, tokenFunc(func() string {
			calls++
			return iss.Sign(t, claims("repo:octo/app:ref:refs/heads/main"))
		}), func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "deploy-1" })
		cache := aws.NewCredentialsCache(p)
		c, err := cache.Retrieve(cx)
		if err != nil {
			t.Fatalf("WebIdentityRoleProvider: %v", err)
		}
		if !strings.HasPrefix(c.AccessKeyID, "ASIA") || c.SessionToken == "" || !c.CanExpire ||
			c.Expires.Before(time.Now().Add(55*time.Minute)) || c.Expires.After(time.Now().Add(61*time.Minute)) {
			t.Fatalf("credentials %+v", c)
		}
		e.checkSession(t, creds{ID: c.AccessKeyID, Secret: c.SecretAccessKey, Token: c.SessionToken}, "ci-deploy", "deploy-1")
		// The SDK's refresh: a new token, new credentials.
		cache.Invalidate()
		c2, err := cache.Retrieve(cx)
		if err != nil {
			t.Fatal(err)
		}
		if c2.AccessKeyID == c.AccessKeyID || calls != 2 {
			t.Fatalf("refresh: key %s again, token read %d times", c2.AccessKeyID, calls)
		}
	})

	t.Run("response fields", func(t *testing.T) {
		out, err := e.anonymousSTS().AssumeRoleWithWebIdentity(cx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(roleARN), RoleSessionName: aws.String("fields"), DurationSeconds: aws.Int32(900),
			WebIdentityToken: aws.String(iss.SignEC(t, claims("repo:octo/app:pull_request")))})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.SubjectFromWebIdentityToken) != "repo:octo/app:pull_request" || aws.ToString(out.Provider) != provider ||
			aws.ToString(out.Audience) != client || out.PackedPolicySize != nil || out.SourceIdentity != nil {
			t.Errorf("response %+v", out)
		}
		if !strings.HasSuffix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), ":fields") ||
			aws.ToString(out.AssumedRoleUser.Arn) != fmt.Sprintf("arn:aws:sts::%s:assumed-role/ci-deploy/fields", e.account) {
			t.Errorf("assumed role user %+v", out.AssumedRoleUser)
		}
		if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d > 15*time.Minute || d < 14*time.Minute {
			t.Errorf("a 900-second session expires in %v", d)
		}
	})

	t.Run("session tags and source identity from the token", func(t *testing.T) {
		c := claims("alice")
		c["amr"] = []string{"pwd", "mfa"}
		c["https://aws.amazon.com/tags"] = map[string]any{
			"principal_tags":      map[string]any{"team": []string{"blue"}, "cost-center": []string{"42"}},
			"transitive_tag_keys": []string{"team"},
		}
		c["https://aws.amazon.com/source_identity"] = "alice"
		out, err := e.anonymousSTS().AssumeRoleWithWebIdentity(cx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(taggedARN), RoleSessionName: aws.String("alice"), WebIdentityToken: aws.String(iss.Sign(t, c))})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.SourceIdentity) != "alice" || out.PackedPolicySize == nil {
			t.Errorf("source identity %v, packed size %v", out.SourceIdentity, out.PackedPolicySize)
		}
		// The same tags for a role whose trust policy lacks sts:TagSession.
		_, err = e.anonymousSTS().AssumeRoleWithWebIdentity(cx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(untaggableARN), RoleSessionName: aws.String("alice"), WebIdentityToken: aws.String(iss.Sign(t, c))})
		fedErr(t, err, "AccessDenied", http.StatusForbidden, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
		// amr without "mfa" does not satisfy the tagged role's condition.
		c["amr"] = []string{"pwd"}
		_, err = e.anonymousSTS().AssumeRoleWithWebIdentity(cx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(taggedARN), RoleSessionName: aws.String("alice"), WebIdentityToken: aws.String(iss.Sign(t, c))})
		fedErr(t, err, "AccessDenied", http.StatusForbidden, "")
	})

	// The attacks, each refused with AWS's code.
	base := claims("repo:octo/app:ref:refs/heads/main")
	other := oidctest.NewIssuer(t, e.ca) // trusted TLS, but not a provider of the account
	expired := iss.Claims("repo:octo/app:ref:refs/heads/main", client)
	expired["iat"] = time.Now().Add(-2 * time.Hour).Unix()
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	wrongAud := iss.Claims("repo:octo/app:ref:refs/heads/main", "some-other-app")
	otherClaims := other.Claims("repo:octo/app:ref:refs/heads/main", client)
	attacks := []struct {
		name   string
		token  string
		code   string
		status int
		msg    string
	}{
		{"alg none", oidctest.Unsigned(t, iss.RSAKeyID, base), "InvalidIdentityToken", 400, ""},
		{"signed by another key under the issuer's kid", oidctest.SignWith(t, jose.RS256, other.RSA, iss.RSAKeyID, base), "InvalidIdentityToken", 400, ""},
		{"HMAC keyed with the issuer's public key", oidctest.HMAC(t, iss.PublicKeyPEM(t), iss.RSAKeyID, base), "InvalidIdentityToken", 400, ""},
		{"unknown key id", oidctest.SignWith(t, jose.RS256, other.RSA, "rotated-away", base), "InvalidIdentityToken", 400, oidc.MsgNoKey},
		{"expired", iss.Sign(t, expired), "ExpiredTokenException", 400, "Token expired: current date/time"},
		{"wrong audience", iss.Sign(t, wrongAud), "InvalidIdentityToken", 400, "Incorrect token audience"},
		{"issuer that is no provider of the account", other.Sign(t, otherClaims), "InvalidIdentityToken", 400,
			"No OpenIDConnect provider found in your account for " + other.URL},
		{"not a JWT", "definitely-not-a-jwt", "InvalidIdentityToken", 400, ""},
		{"subject the trust policy does not allow", iss.Sign(t, claims("repo:evil/app:ref:refs/heads/main")), "AccessDenied", 403,
			"Not authorized to perform sts:AssumeRoleWithWebIdentity"},
	}
	for _, a := range attacks {
		t.Run("refused: "+a.name, func(t *testing.T) {
			_, err := e.anonymousSTS().AssumeRoleWithWebIdentity(cx, &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(roleARN), RoleSessionName: aws.String("attack"), WebIdentityToken: aws.String(a.token)})
			fedErr(t, err, a.code, a.status, a.msg)
		})
	}

	t.Run("the SDK sees ExpiredTokenException as its typed error", func(t *testing.T) {
		_, err := e.anonymousSTS().AssumeRoleWithWebIdentity(cx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(roleARN), RoleSessionName: aws.String("late"), WebIdentityToken: aws.String(iss.Sign(t, expired))})
		var typed *ststypes.ExpiredTokenException
		if !errors.As(err, &typed) {
			t.Fatalf("err = %v, want *types.ExpiredTokenException", err)
		}
	})

	t.Run("issuer unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		down := "https://" + ln.Addr().String()
		ln.Close() // nothing listens there any more
		if _, err := e.admin.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String(down), ClientIDList: []string{client}}); err != nil {
			t.Fatal(err)
		}
		c := iss.Claims("svc", client)
		c["iss"] = down
		_, err = e.anonymousSTS().AssumeRoleWithWebIdentity(cx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(roleARN), RoleSessionName: aws.String("down"), WebIdentityToken: aws.String(iss.Sign(t, c))})
		fedErr(t, err, "IDPCommunicationError", 400, "")
	})

	t.Run("unknown role", func(t *testing.T) {
		_, err := e.anonymousSTS().AssumeRoleWithWebIdentity(cx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(fmt.Sprintf("arn:aws:iam::%s:role/nope", e.account)), RoleSessionName: aws.String("xy"),
			WebIdentityToken: aws.String(iss.Sign(t, base))})
		fedErr(t, err, "AccessDenied", http.StatusForbidden, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	})

	t.Run("issuer pinned by thumbprint, outside the trusted roots", func(t *testing.T) {
		privateCA := oidctest.NewCA(t, "private CA that iamd does not trust")
		pinned := oidctest.NewIssuer(t, privateCA)
		if _, err := e.admin.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String(pinned.URL), ClientIDList: []string{client}, ThumbprintList: []string{strings.Repeat("0", 40)}}); err != nil {
			t.Fatal(err)
		}
		pinnedProvider := fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", e.account, pinned.ID())
		pinnedRole := e.role(t, "pinned", federatedTrust(pinnedProvider, []string{"sts:AssumeRoleWithWebIdentity"}, ""))
		assume := func() error {
			_, err := e.anonymousSTS().AssumeRoleWithWebIdentity(cx, &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(pinnedRole), RoleSessionName: aws.String("pinned"),
				WebIdentityToken: aws.String(pinned.Sign(t, pinned.Claims("svc", client)))})
			return err
		}
		fedErr(t, assume(), "InvalidIdentityToken", 400, oidc.MsgThumbprint)
		if _, err := e.admin.UpdateOpenIDConnectProviderThumbprint(cx, &iam.UpdateOpenIDConnectProviderThumbprintInput{
			OpenIDConnectProviderArn: aws.String(pinnedProvider), ThumbprintList: []string{oidc.Thumbprint(privateCA.Cert)}}); err != nil {
			t.Fatal(err)
		}
		if err := assume(); err != nil {
			t.Fatalf("with the CA's thumbprint: %v", err)
		}
	})
}

// TestSAMLFederation drives AssumeRoleWithSAML end to end with responses a
// test identity provider signs, and the forgeries: unsigned, wrapped,
// signed by another key, replayed after expiry, misdirected.
func TestSAMLFederation(t *testing.T) {
	e := newFedEnv(t)
	cx := ctx(t)
	idp := samltest.NewIdP(t, "https://idp.example.com/saml")
	p, err := e.admin.CreateSAMLProvider(cx, &iam.CreateSAMLProviderInput{Name: aws.String("Corp"), SAMLMetadataDocument: aws.String(idp.Metadata())})
	if err != nil {
		t.Fatal(err)
	}
	provider := aws.ToString(p.SAMLProviderArn)
	staffARN := e.role(t, "staff", federatedTrust(provider, []string{"sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"},
		fmt.Sprintf(`{"StringEquals":{"saml:aud":%q,"saml:iss":%q,"saml:sub_type":"persistent","saml:doc":"%s/Corp"},`+
			`"ForAnyValue:StringEquals":{"saml:edupersonaffiliation":["staff"]}}`, samltest.AWSSignIn, idp.EntityID, e.account)))
	otherARN := e.role(t, "other", federatedTrust(provider, []string{"sts:AssumeRoleWithSAML"}, ""))
	pair := staffARN + "," + provider
	spec := func(mod func(*samltest.Spec)) samltest.Spec {
		s := samltest.Spec{NameID: "alice@example.com", Attributes: []samltest.Attr{
			samltest.RoleAttr(provider+","+otherARN, pair), // either order
			{Name: samltest.AttrRoleSessionName, Values: []string{"alice@example.com"}},
			{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.1", Values: []string{"member", "staff"}},
		}}
		if mod != nil {
			mod(&s)
		}
		return s
	}
	assume := func(role, response string, duration *int32) (*sts.AssumeRoleWithSAMLOutput, error) {
		return e.anonymousSTS().AssumeRoleWithSAML(cx, &sts.AssumeRoleWithSAMLInput{
			RoleArn: aws.String(role), PrincipalArn: aws.String(provider), SAMLAssertion: aws.String(response), DurationSeconds: duration})
	}

	t.Run("signed assertion", func(t *testing.T) {
		out, err := assume(staffARN, idp.SignedAssertion(t, spec(nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha1.Sum([]byte(idp.EntityID + e.account + "/Corp"))
		if aws.ToString(out.Subject) != "alice@example.com" || aws.ToString(out.SubjectType) != "persistent" ||
			aws.ToString(out.Issuer) != idp.EntityID || aws.ToString(out.Audience) != samltest.AWSSignIn ||
			aws.ToString(out.NameQualifier) != base64.StdEncoding.EncodeToString(sum[:]) {
			t.Errorf("response %+v", out)
		}
		e.checkSession(t, sessionCredsOf(out.Credentials), "staff", "alice@example.com")
	})

	t.Run("signed response, tags, source identity, SessionDuration", func(t *testing.T) {
		s := spec(func(s *samltest.Spec) {
			s.Audiences = []string{"urn:amazon:webservices"}
			s.Attributes = append(s.Attributes,
				samltest.Attr{Name: samltest.AttrPrincipalTag + "project", Values: []string{"apollo"}},
				samltest.Attr{Name: samltest.AttrTransitiveTags, Values: []string{"project"}},
				samltest.Attr{Name: samltest.AttrSourceIdentity, Values: []string{"alice"}},
				samltest.Attr{Name: samltest.AttrSessionDuration, Values: []string{"1200"}})
		})
		resp := samltest.Encode(t, idp.Sign(t, idp.Response("", idp.Assertion(s))))
		out, err := assume(staffARN, resp, aws.Int32(3600))
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.SourceIdentity) != "alice" || out.PackedPolicySize == nil {
			t.Errorf("response %+v", out)
		}
		if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d > 20*time.Minute || d < 19*time.Minute {
			t.Errorf("SessionDuration 1200 gave a session of %v", d)
		}
	})

	t.Run("regional sign-in endpoint as recipient", func(t *testing.T) {
		regional := "https://us-west-2.signin.aws.amazon.com/saml"
		out, err := assume(otherARN, idp.SignedAssertion(t, spec(func(s *samltest.Spec) {
			s.Recipient = regional
			s.Audiences = []string{regional}
		})), nil)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Audience) != regional {
			t.Errorf("Audience %q, want the recipient %q", aws.ToString(out.Audience), regional)
		}
		// The staff role's trust policy wants saml:aud to be the global
		// endpoint: the regional recipient does not satisfy it.
		_, err = assume(staffARN, idp.SignedAssertion(t, spec(func(s *samltest.Spec) { s.Recipient = regional })), nil)
		fedErr(t, err, "AccessDenied", http.StatusForbidden, "")
	})

	impostor := samltest.NewIdP(t, idp.EntityID)
	wrapped := func() string {
		genuine := idp.Sign(t, idp.Assertion(spec(func(s *samltest.Spec) { s.Attributes[0] = samltest.RoleAttr(otherARN + "," + provider) })))
		forged := idp.Assertion(spec(nil))
		return samltest.Encode(t, idp.Response("", forged, genuine))
	}
	replayed := spec(func(s *samltest.Spec) {
		s.IssueInstant = time.Now().Add(-10 * time.Minute)
		s.ConfirmationNotOnOrAfter = time.Now().Add(-5 * time.Minute)
		s.NotOnOrAfter = time.Now().Add(-5 * time.Minute)
	})
	stale := spec(func(s *samltest.Spec) {
		s.IssueInstant = time.Now().Add(-10 * time.Minute)
		s.ConfirmationNotOnOrAfter = time.Now().Add(time.Hour)
		s.NotOnOrAfter = time.Now().Add(time.Hour)
	})
	attacks := []struct {
		name     string
		role     string
		response string
		code     string
		status   int
		msg      string
	}{
		{"unsigned assertion", staffARN, samltest.Encode(t, idp.Response("", idp.Assertion(spec(nil)))), "InvalidIdentityToken", 400, "Response signature invalid"},
		{"wrapped assertion: a signed one plus an injected unsigned one", staffARN, wrapped(), "InvalidIdentityToken", 400, ""},
		{"signed by a key not in the metadata", staffARN, impostor.SignedAssertion(t, spec(nil)), "InvalidIdentityToken", 400, "Response signature invalid"},
		{"replayed expired assertion", staffARN, idp.SignedAssertion(t, replayed), "ExpiredTokenException", 400, ""},
		{"redeemed more than five minutes after issuance", staffARN, idp.SignedAssertion(t, stale), "ExpiredTokenException", 400,
			"Token must be redeemed within 5 minutes of issuance"},
		{"recipient is not AWS", staffARN, idp.SignedAssertion(t, spec(func(s *samltest.Spec) { s.Recipient = "https://evil.example.com/saml" })),
			"InvalidIdentityToken", 400, ""},
		{"audience is not AWS", staffARN, idp.SignedAssertion(t, spec(func(s *samltest.Spec) { s.Audiences = []string{"https://evil.example.com"} })),
			"InvalidIdentityToken", 400, ""},
		{"issuer is not the provider's entity", staffARN, idp.SignedAssertion(t, spec(func(s *samltest.Spec) { s.Issuer = "https://other.example.com" })),
			"InvalidIdentityToken", 400, "Issuer not present in specified provider"},
		{"role not in the Role attribute", staffARN, idp.SignedAssertion(t, spec(func(s *samltest.Spec) { s.Attributes[0] = samltest.RoleAttr(otherARN + "," + provider) })),
			"AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"affiliation the trust policy does not allow", staffARN, idp.SignedAssertion(t, spec(func(s *samltest.Spec) { s.Attributes[2].Values = []string{"student"} })),
			"AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"no RoleSessionName", staffARN, idp.SignedAssertion(t, spec(func(s *samltest.Spec) { s.Attributes = s.Attributes[:1] })),
			"InvalidIdentityToken", 400, "RoleSessionName is required in AuthnResponse"},
		{"RoleSessionName with a space", staffARN, idp.SignedAssertion(t, spec(func(s *samltest.Spec) { s.Attributes[1].Values = []string{"Alice Doe"} })),
			"InvalidIdentityToken", 400, "RoleSessionName in AuthnResponse must match"},
		{"tags for a role without sts:TagSession", otherARN, idp.SignedAssertion(t, spec(func(s *samltest.Spec) {
			s.Attributes = append(s.Attributes, samltest.Attr{Name: samltest.AttrPrincipalTag + "x", Values: []string{"y"}})
		})), "AccessDenied", 403, ""},
		{"the identity provider reports failure", staffARN,
			samltest.Encode(t, idp.Response("urn:oasis:names:tc:SAML:2.0:status:Responder", idp.Sign(t, idp.Assertion(spec(nil))))), "IDPRejectedClaim", 403, ""},
		{"not base64", staffARN, "<samlp:Response/>", "InvalidIdentityToken", 400, ""},
	}
	for _, a := range attacks {
		t.Run("refused: "+a.name, func(t *testing.T) {
			_, err := assume(a.role, a.response, nil)
			fedErr(t, err, a.code, a.status, a.msg)
		})
	}

	t.Run("the other role, named second in its pair", func(t *testing.T) {
		out, err := assume(otherARN, idp.SignedAssertion(t, spec(nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(aws.ToString(out.AssumedRoleUser.Arn), ":assumed-role/other/alice@example.com") {
			t.Errorf("assumed role %s", aws.ToString(out.AssumedRoleUser.Arn))
		}
	})

	t.Run("DurationSeconds beyond the role's maximum", func(t *testing.T) {
		_, err := assume(staffARN, idp.SignedAssertion(t, spec(nil)), aws.Int32(7200))
		fedErr(t, err, "ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	})

	t.Run("unknown provider", func(t *testing.T) {
		_, err := e.anonymousSTS().AssumeRoleWithSAML(cx, &sts.AssumeRoleWithSAMLInput{
			RoleArn: aws.String(staffARN), PrincipalArn: aws.String(fmt.Sprintf("arn:aws:iam::%s:saml-provider/Nope", e.account)),
			SAMLAssertion: aws.String(idp.SignedAssertion(t, spec(nil)))})
		fedErr(t, err, "InvalidIdentityToken", 400, "")
	})
}

func sessionCredsOf(c *ststypes.Credentials) creds {
	return creds{ID: aws.ToString(c.AccessKeyId), Secret: aws.ToString(c.SecretAccessKey), Token: aws.ToString(c.SessionToken)}
}
