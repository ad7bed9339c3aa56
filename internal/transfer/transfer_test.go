package transfer_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/crypto/ssh"

	"github.com/iamd/iamd/internal/account"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/server"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/postgres"
	"github.com/iamd/iamd/internal/store/postgres/pgtest"
	"github.com/iamd/iamd/internal/store/sqlite"
	"github.com/iamd/iamd/internal/totp"
	"github.com/iamd/iamd/internal/transfer"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var passphrase = []byte("correct horse battery staple")

// world is a store, its master key and an iamd server over them.
type world struct {
	name string
	st   store.Store
	kr   *seal.Keyring
	srv  *httptest.Server
}

func newKeyring(t *testing.T) *seal.Keyring {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	kr, err := seal.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// serve starts an iamd server (strict mode, enforcing) over the store.
func serve(t *testing.T, name string, st store.Store, kr *seal.Keyring) *world {
	t.Helper()
	h := server.New(server.Options{Store: st, Keyring: kr, APIs: server.DefaultAPIs(st, kr)})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &world{name: name, st: st, kr: kr, srv: srv}
}

func sqliteWorld(t *testing.T, name string) *world {
	t.Helper()
	st, err := sqlite.OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return serve(t, name, st, newKeyring(t))
}

func postgresWorld(t *testing.T, name string) *world {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return serve(t, name, st, newKeyring(t))
}

func (w *world) iam(c aws.Credentials) *iam.Client {
	return iam.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.StaticCredentialsProvider{Value: c},
		BaseEndpoint:     aws.String(w.srv.URL),
		RetryMaxAttempts: 1,
	})
}

// raw sends a signed Query request and returns the body, whatever the
// status, with the request id (different on every call) blanked.
func (w *world) raw(t *testing.T, c aws.Credentials, service string, params url.Values) string {
	t.Helper()
	body := params.Encode()
	sum := sha256.Sum256([]byte(body))
	req, err := http.NewRequest(http.MethodPost, w.srv.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := v4.NewSigner().SignHTTP(context.Background(), c, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("HTTP %d\n%s", resp.StatusCode, requestIDRE.ReplaceAllString(string(b), "<RequestId/>"))
}

var requestIDRE = regexp.MustCompile(`<RequestId>[^<]*</RequestId>`)

// adminOf creates the first account as iamd's first start does and
// returns its id and the admin user's key.
func adminOf(t *testing.T, w *world) (string, aws.Credentials) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "admin-credentials")
	created, err := account.Create(context.Background(), w.st, w.kr, account.Options{AdminCredentialsFile: func(string) string { return file }})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`aws_secret_access_key\s*=\s*(\S+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no secret in %s", b)
	}
	return created.AccountID, aws.Credentials{AccessKeyID: created.AdminKeyID, SecretAccessKey: string(m[1])}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func doc(actions string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":"*"}]}`
}

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// selfSigned is a certificate and its key, in PEM.
func selfSigned(t *testing.T, cn string) (certPEM, keyPEM string, cert *x509.Certificate) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour).Truncate(time.Second), NotAfter: time.Now().AddDate(1, 0, 0).Truncate(time.Second),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true, DNSNames: []string{cn},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})), cert
}

func sshKey(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " dev@example"
}

func samlMetadata(cert *x509.Certificate) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(cert.Raw) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`
}

// populate gives the account one of everything an export carries,
// through the IAM API as a client would.
func populate(t *testing.T, w *world, admin aws.Credentials) (alice aws.Credentials) {
	t.Helper()
	c := w.iam(admin)
	cx := context.Background()
	tags := []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}, {Key: aws.String("cost"), Value: aws.String("42")}}

	must[*iam.CreateAccountAliasOutput](t)(c.CreateAccountAlias(cx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("transfer-test")}))
	must[*iam.UpdateAccountPasswordPolicyOutput](t)(c.UpdateAccountPasswordPolicy(cx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, PasswordReusePrevention: aws.Int32(3), AllowUsersToChangePassword: true}))

	pol := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("deploy"), Path: aws.String("/ops/"),
		Description: aws.String("deploys"), PolicyDocument: aws.String(doc(`"iam:GetUser"`)), Tags: tags})).Policy
	for i, actions := range []string{`"iam:ListUsers"`, `["iam:ListRoles","iam:GetRole"]`, `"iam:ListGroups"`} {
		must[*iam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Arn,
			PolicyDocument: aws.String(doc(actions)), SetAsDefault: i == 1}))
	}
	must[*iam.DeletePolicyVersionOutput](t)(c.DeletePolicyVersion(cx, &iam.DeletePolicyVersionInput{PolicyArn: pol.Arn, VersionId: aws.String("v2")}))
	boundary := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("boundary"),
		PolicyDocument: aws.String(doc(`"iam:*"`))})).Policy

	must[*iam.CreateUserOutput](t)(c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/eng/"),
		Tags: tags, PermissionsBoundary: boundary.Arn}))
	must[*iam.CreateUserOutput](t)(c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	must[*iam.CreateGroupOutput](t)(c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("devs"), Path: aws.String("/eng/")}))
	for _, u := range []string{"alice", "bob"} {
		must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(cx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String(u)}))
	}
	must[*iam.PutGroupPolicyOutput](t)(c.PutGroupPolicy(cx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc(`"iam:List*"`))}))
	must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(cx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))
	must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(cx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("self"), PolicyDocument: aws.String(doc(`"iam:GetUser"`))}))
	must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: pol.Arn}))

	must[*iam.CreateRoleOutput](t)(c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("the app"), MaxSessionDuration: aws.Int32(7200), Tags: tags, PermissionsBoundary: boundary.Arn}))
	must[*iam.AttachRolePolicyOutput](t)(c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: pol.Arn}))
	must[*iam.PutRolePolicyOutput](t)(c.PutRolePolicy(cx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc(`"sts:GetCallerIdentity"`))}))
	must[*iam.CreateInstanceProfileOutput](t)(c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("app-ip"), Tags: tags}))
	must[*iam.AddRoleToInstanceProfileOutput](t)(c.AddRoleToInstanceProfile(cx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("app-ip"), RoleName: aws.String("app")}))
	must[*iam.CreateInstanceProfileOutput](t)(c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("empty-ip"), Path: aws.String("/x/")}))

	k := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	alice = aws.Credentials{AccessKeyID: aws.ToString(k.AccessKeyId), SecretAccessKey: aws.ToString(k.SecretAccessKey)}
	k2 := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	must[*iam.UpdateAccessKeyOutput](t)(c.UpdateAccessKey(cx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k2.AccessKeyId, Status: iamtypes.StatusTypeInactive}))
	// A recorded use, as the server's flusher writes it.
	if err := w.st.Update(cx, func(tx store.Tx) error {
		return tx.RecordAccessKeyUse([]store.KeyUse{{AccessKeyID: alice.AccessKeyID, Time: time.Now().Add(-time.Hour), Service: "iam", Region: "us-east-1"}})
	}); err != nil {
		t.Fatal(err)
	}

	must[*iam.CreateLoginProfileOutput](t)(c.CreateLoginProfile(cx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("First-password-1!")}))
	for _, p := range []string{"Second-password-2!", "Third-password-3!"} {
		must[*iam.UpdateLoginProfileOutput](t)(c.UpdateLoginProfile(cx, &iam.UpdateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(p)}))
	}

	mfa := must[*iam.CreateVirtualMFADeviceOutput](t)(c.CreateVirtualMFADevice(cx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone"), Tags: tags})).VirtualMFADevice
	seed, err := totp.DecodeSeed(string(mfa.Base32StringSeed))
	if err != nil {
		t.Fatal(err)
	}
	step := totp.Step(time.Now())
	code1, _ := totp.Code(seed, step-1)
	code2, _ := totp.Code(seed, step)
	must[*iam.EnableMFADeviceOutput](t)(c.EnableMFADevice(cx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: mfa.SerialNumber,
		AuthenticationCode1: aws.String(code1), AuthenticationCode2: aws.String(code2)}))
	must[*iam.CreateVirtualMFADeviceOutput](t)(c.CreateVirtualMFADevice(cx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("spare"), Path: aws.String("/spare/")}))

	certPEM, keyPEM, cert := selfSigned(t, "www.example.com")
	must[*iam.UploadServerCertificateOutput](t)(c.UploadServerCertificate(cx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("www"),
		CertificateBody: aws.String(certPEM), PrivateKey: aws.String(keyPEM), Tags: tags}))
	signPEM, _, _ := selfSigned(t, "alice-signing")
	must[*iam.UploadSigningCertificateOutput](t)(c.UploadSigningCertificate(cx, &iam.UploadSigningCertificateInput{UserName: aws.String("alice"), CertificateBody: aws.String(signPEM)}))
	must[*iam.UploadSSHPublicKeyOutput](t)(c.UploadSSHPublicKey(cx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(sshKey(t))}))
	must[*iam.CreateServiceSpecificCredentialOutput](t)(c.CreateServiceSpecificCredential(cx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("alice"), ServiceName: aws.String("codecommit.amazonaws.com")}))

	must[*iam.CreateOpenIDConnectProviderOutput](t)(c.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.example.com/tenant"),
		ClientIDList: []string{"zeta", "alpha"}, ThumbprintList: []string{strings.Repeat("a", 40)}, Tags: tags}))
	must[*iam.CreateSAMLProviderOutput](t)(c.CreateSAMLProvider(cx, &iam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(samlMetadata(cert)),
		AddPrivateKey: aws.String(keyPEM), AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeAllowed, Tags: tags}))
	return alice
}

// reads lists the read-only calls whose answers must be the same before
// and after a transfer: every list and get of the account's resources.
func reads(d *transfer.Document) []url.Values {
	q := func(action string, kv ...string) url.Values {
		v := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	out := []url.Values{
		q("GetAccountAuthorizationDetails"),
		q("GetAccountAuthorizationDetails", "MaxItems", "2"),
		q("ListUsers"), q("ListGroups"), q("ListRoles"), q("ListPolicies", "Scope", "Local"),
		q("ListPolicies", "OnlyAttached", "true"), q("ListInstanceProfiles"), q("ListVirtualMFADevices"),
		q("ListOpenIDConnectProviders"), q("ListSAMLProviders"), q("ListServerCertificates"), q("ListAccountAliases"),
		q("GetAccountPasswordPolicy"), q("GetAccountSummary"), q("ListSigningCertificates"), q("ListAccessKeys"),
		q("ListMFADevices"),
	}
	for _, u := range d.Users {
		n := u.Name
		out = append(out, q("GetUser", "UserName", n), q("ListAccessKeys", "UserName", n), q("GetLoginProfile", "UserName", n),
			q("ListMFADevices", "UserName", n), q("ListSigningCertificates", "UserName", n), q("ListSSHPublicKeys", "UserName", n),
			q("ListServiceSpecificCredentials", "UserName", n), q("ListGroupsForUser", "UserName", n), q("ListUserPolicies", "UserName", n),
			q("ListAttachedUserPolicies", "UserName", n), q("ListUserTags", "UserName", n))
		for _, k := range u.AccessKeys {
			out = append(out, q("GetAccessKeyLastUsed", "AccessKeyId", k.ID))
		}
		for _, p := range u.InlinePolicies {
			out = append(out, q("GetUserPolicy", "UserName", n, "PolicyName", p.Name))
		}
		for _, k := range u.SSHPublicKeys {
			out = append(out, q("GetSSHPublicKey", "UserName", n, "SSHPublicKeyId", k.ID, "Encoding", "SSH"),
				q("GetSSHPublicKey", "UserName", n, "SSHPublicKeyId", k.ID, "Encoding", "PEM"))
		}
	}
	for _, g := range d.Groups {
		out = append(out, q("GetGroup", "GroupName", g.Name), q("ListGroupPolicies", "GroupName", g.Name), q("ListAttachedGroupPolicies", "GroupName", g.Name))
		for _, p := range g.InlinePolicies {
			out = append(out, q("GetGroupPolicy", "GroupName", g.Name, "PolicyName", p.Name))
		}
	}
	for _, r := range d.Roles {
		out = append(out, q("GetRole", "RoleName", r.Name), q("ListRolePolicies", "RoleName", r.Name), q("ListAttachedRolePolicies", "RoleName", r.Name),
			q("ListRoleTags", "RoleName", r.Name), q("ListInstanceProfilesForRole", "RoleName", r.Name))
		for _, p := range r.InlinePolicies {
			out = append(out, q("GetRolePolicy", "RoleName", r.Name, "PolicyName", p.Name))
		}
	}
	for _, p := range d.Policies {
		out = append(out, q("GetPolicy", "PolicyArn", p.ARN), q("ListPolicyVersions", "PolicyArn", p.ARN),
			q("ListEntitiesForPolicy", "PolicyArn", p.ARN), q("ListPolicyTags", "PolicyArn", p.ARN))
		for _, v := range p.Versions {
			out = append(out, q("GetPolicyVersion", "PolicyArn", p.ARN, "VersionId", v.ID))
		}
	}
	for _, p := range d.InstanceProfiles {
		out = append(out, q("GetInstanceProfile", "InstanceProfileName", p.Name), q("ListInstanceProfileTags", "InstanceProfileName", p.Name))
	}
	for _, m := range d.MFADevices {
		out = append(out, q("ListMFADeviceTags", "SerialNumber", m.SerialNumber))
	}
	for _, p := range d.OIDCProviders {
		out = append(out, q("GetOpenIDConnectProvider", "OpenIDConnectProviderArn", p.ARN))
	}
	for _, p := range d.SAMLProviders {
		out = append(out, q("GetSAMLProvider", "SAMLProviderArn", p.ARN))
	}
	for _, c := range d.ServerCertificates {
		out = append(out, q("GetServerCertificate", "ServerCertificateName", c.Name))
	}
	return out
}

// answers makes every read call against the world with the credentials.
func answers(t *testing.T, w *world, c aws.Credentials, calls []url.Values) []string {
	t.Helper()
	out := make([]string, len(calls))
	for i, q := range calls {
		out[i] = w.raw(t, c, "iam", q)
	}
	return out
}

// exportTo runs export on from and import on to, through the file format.
func exportTo(t *testing.T, from, to *world, account string) *transfer.Document {
	t.Helper()
	var file bytes.Buffer
	if _, err := transfer.Export(context.Background(), from.st, from.kr, account, &file, passphrase); err != nil {
		t.Fatalf("export from %s: %v", from.name, err)
	}
	if bytes.Contains(file.Bytes(), []byte("alice")) {
		t.Fatalf("the export file shows a user name in the clear")
	}
	d, err := transfer.Import(context.Background(), to.st, to.kr, &file, passphrase)
	if err != nil {
		t.Fatalf("import into %s: %v", to.name, err)
	}
	return d
}

// TestRoundTrip moves an account from SQLite to PostgreSQL and back to
// SQLite, each with its own master key, and checks that every read the
// API offers answers byte for byte the same in all three (request ids
// aside), that the store holds the same account (secrets compared in the
// clear), and that the user's access key still signs requests.
func TestRoundTrip(t *testing.T) {
	src := sqliteWorld(t, "SQLite (source)")
	acct, admin := adminOf(t, src)
	alice := populate(t, src, admin)

	original, err := transfer.Read(context.Background(), src.st, src.kr, acct)
	if err != nil {
		t.Fatal(err)
	}
	calls := reads(original)
	want := answers(t, src, admin, calls)
	ok := 0
	for _, a := range want {
		if strings.HasPrefix(a, "HTTP 200") {
			ok++
		}
	}
	// Some reads answer NoSuchEntity (the admin user has no login
	// profile), which must stay so; nearly all must succeed.
	if ok < len(calls)-3 {
		t.Fatalf("only %d of %d reads succeed on the source:\n%s", ok, len(calls), strings.Join(want, "\n"))
	}
	t.Logf("%d reads compared, %d of them successful", len(calls), ok)

	pg := postgresWorld(t, "PostgreSQL")
	exportTo(t, src, pg, acct)
	back := sqliteWorld(t, "SQLite (back)")
	exportTo(t, pg, back, "")

	for _, w := range []*world{pg, back} {
		got := answers(t, w, admin, calls)
		for i := range calls {
			if got[i] != want[i] {
				t.Errorf("%s: %s differs\n got %s\nwant %s", w.name, calls[i].Encode(), got[i], want[i])
			}
		}
		d, err := transfer.Read(context.Background(), w.st, w.kr, acct)
		if err != nil {
			t.Fatal(err)
		}
		gotJSON, _ := json.MarshalIndent(d, "", " ")
		wantJSON, _ := json.MarshalIndent(original, "", " ")
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Errorf("%s: the store holds another account than the source\n got %s\nwant %s", w.name, gotJSON, wantJSON)
		}
		id := w.raw(t, alice, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
		if !strings.Contains(id, "<Arn>arn:aws:iam::"+acct+":user/eng/alice</Arn>") {
			t.Errorf("%s: alice's key does not sign after the transfer:\n%s", w.name, id)
		}
	}
	// The comparison above is only as good as what the source holds.
	var a *transfer.User
	for i := range original.Users {
		if original.Users[i].Name == "alice" {
			a = &original.Users[i]
		}
	}
	if a == nil || a.LoginProfile == nil || len(a.LoginProfile.PasswordHistory) != 2 || len(a.AccessKeys) != 2 || a.AccessKeys[0].LastUsed.IsZero() && a.AccessKeys[1].LastUsed.IsZero() ||
		len(a.SSHPublicKeys) != 1 || len(a.SigningCertificates) != 1 || len(a.ServiceSpecificCredentials) != 1 || len(a.Groups) != 1 ||
		len(original.MFADevices) != 2 || len(original.Policies) != 2 || len(original.Policies[1].Versions) != 3 ||
		len(original.SAMLProviders) != 1 || len(original.SAMLProviders[0].PrivateKeys) != 1 || len(original.OIDCProviders) != 1 ||
		len(original.ServerCertificates) != 1 || len(original.InstanceProfiles) != 2 || original.PasswordPolicy == nil || original.Account.Alias == "" {
		t.Errorf("the source lacks what the test made: %s", original.Summary())
	}
}

// TestImportErrors checks the refusals: a wrong passphrase, an altered
// header or body, a file that is not an export, a short passphrase, and
// an account that exists already (which leaves the store as it was).
func TestImportErrors(t *testing.T) {
	src := sqliteWorld(t, "source")
	acct, _ := adminOf(t, src)
	var file bytes.Buffer
	if _, err := transfer.Export(context.Background(), src.st, src.kr, acct, &file, passphrase); err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(file.String(), "\n")
	tests := []struct {
		name       string
		file       string
		passphrase []byte
		want       error
	}{
		{"wrong passphrase", file.String(), []byte("incorrect horse battery"), transfer.ErrPassphrase},
		{"altered header", strings.Replace(head, `"account":"`+acct, `"account":"`+strings.Repeat("9", 12), 1) + "\n" + body, passphrase, transfer.ErrPassphrase},
		{"altered body", head + "\n" + flipFirst(body), passphrase, transfer.ErrPassphrase},
		{"not an export", "hello\nworld\n", passphrase, transfer.ErrFormat},
		{"empty", "", passphrase, transfer.ErrFormat},
		{"newer format", strings.Replace(head, `"version":1`, `"version":99`, 1) + "\n" + body, passphrase, transfer.ErrFormat},
		{"huge memory", strings.Replace(head, `"memory_kib":65536`, `"memory_kib":999999999`, 1) + "\n" + body, passphrase, transfer.ErrFormat},
	}
	dst := sqliteWorld(t, "destination")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := transfer.Import(context.Background(), dst.st, dst.kr, strings.NewReader(tc.file), tc.passphrase)
			if !errors.Is(err, tc.want) {
				t.Errorf("Import: %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("short passphrase", func(t *testing.T) {
		_, err := transfer.Export(context.Background(), src.st, src.kr, acct, io.Discard, []byte("short"))
		if err == nil || !strings.Contains(err.Error(), "at least") {
			t.Errorf("Export with a short passphrase: %v", err)
		}
	})
	t.Run("account exists", func(t *testing.T) {
		_, err := transfer.Import(context.Background(), src.st, src.kr, strings.NewReader(file.String()), passphrase)
		if !errors.Is(err, store.ErrAlreadyExists) {
			t.Fatalf("importing into the source: %v, want ErrAlreadyExists", err)
		}
		if !strings.Contains(err.Error(), acct) {
			t.Errorf("error %q does not name the account", err)
		}
	})
	t.Run("wrong master key", func(t *testing.T) {
		_, err := transfer.Export(context.Background(), src.st, newKeyring(t), acct, io.Discard, passphrase)
		if !errors.Is(err, seal.ErrUnknownKey) && !errors.Is(err, seal.ErrOpen) {
			t.Errorf("export with another master key: %v, want a seal error", err)
		}
	})
	t.Run("no such account", func(t *testing.T) {
		_, err := transfer.Export(context.Background(), src.st, src.kr, "000000000000", io.Discard, passphrase)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("export of a missing account: %v", err)
		}
	})
}

// flipFirst changes the first base64 character of s to another one.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
