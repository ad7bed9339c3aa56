package e2e_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/crypto/ssh"
)

// pkiCert is a generated certificate and its private key, in PEM.
type pkiCert struct {
	CertPEM, KeyPEM string
	Cert            *x509.Certificate
	Key             crypto.Signer
}

// pkiIssue makes a certificate for a fresh ECDSA P-256 key (RSA 2048 when
// rsaKey), signed by parent or self-signed, valid from notBefore to
// notAfter (truncated to seconds, as X.509 keeps them). Self-signed
// certificates are CAs.
func pkiIssue(t *testing.T, cn string, parent *pkiCert, notBefore, notAfter time.Time, rsaKey bool) *pkiCert {
	t.Helper()
	return pkiMake(t, cn, parent, notBefore, notAfter, rsaKey, parent == nil)
}

// pkiIntermediate issues an intermediate CA certificate valid from a day
// ago for a year.
func pkiIntermediate(t *testing.T, cn string, parent *pkiCert) *pkiCert {
	t.Helper()
	return pkiMake(t, cn, parent, time.Now().Add(-24*time.Hour), time.Now().AddDate(1, 0, 0), false, true)
}

func pkiMake(t *testing.T, cn string, parent *pkiCert, notBefore, notAfter time.Time, rsaKey, isCA bool) *pkiCert {
	t.Helper()
	var key crypto.Signer
	var keyDER []byte
	var err error
	if rsaKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key, keyDER = k, x509.MarshalPKCS1PrivateKey(k)
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
		if keyDER, err = x509.MarshalECPrivateKey(k); err != nil {
			t.Fatal(err)
		}
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"iamd e2e"}},
		NotBefore:             notBefore.UTC().Truncate(time.Second),
		NotAfter:              notAfter.UTC().Truncate(time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		DNSNames:              []string{cn},
	}
	signer, issuer := key, tmpl
	if parent != nil {
		signer, issuer = parent.Key, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyType := "EC PRIVATE KEY"
	if rsaKey {
		keyType = "RSA PRIVATE KEY"
	}
	return &pkiCert{
		CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		KeyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: keyType, Bytes: keyDER})),
		Cert:    cert,
		Key:     key,
	}
}

// pkiValid issues a certificate valid from a day ago for a year.
func pkiValid(t *testing.T, cn string, parent *pkiCert) *pkiCert {
	return pkiIssue(t, cn, parent, time.Now().Add(-24*time.Hour), time.Now().AddDate(1, 0, 0), false)
}

var (
	serverCertIDRE   = regexp.MustCompile(`^ASCA[A-Z2-7]{17}$`)
	signingCertIDRE  = regexp.MustCompile(`^[A-Z0-9]{24,128}$`)
	sshKeyIDRE       = regexp.MustCompile(`^APKA[A-Z2-7]{17}$`)
	serviceCredIDRE  = regexp.MustCompile(`^ACCA[A-Z2-7]{17}$`)
	md5FingerprintRE = regexp.MustCompile(`^([0-9a-f]{2}:){15}[0-9a-f]{2}$`)
)

// callerAccount is the account the credentials act in.
func callerAccount(t *testing.T, in *instance, c creds) string {
	t.Helper()
	id, err := in.STS(c).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(id.Account)
}

// TestServerCertificates walks every server certificate operation through
// its happy, not-found, conflict, malformed-input and quota paths.
func TestServerCertificates(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	acct := callerAccount(t, in, admin)

	root := pkiValid(t, "root.example.com", nil)
	inter := pkiIntermediate(t, "intermediate.example.com", root)
	leaf := pkiValid(t, "www.example.com", inter)
	other := pkiValid(t, "other.example.com", nil)
	expired := pkiIssue(t, "old.example.com", nil, time.Now().AddDate(-2, 0, 0), time.Now().AddDate(-1, 0, 0), false)
	chain := inter.CertPEM + root.CertPEM

	var certID string
	t.Run("upload with path, chain and tags", func(t *testing.T) {
		out, err := c.UploadServerCertificate(cx, &iam.UploadServerCertificateInput{
			ServerCertificateName: aws.String("www"),
			Path:                  aws.String("/cloudfront/test/"),
			CertificateBody:       aws.String(leaf.CertPEM),
			PrivateKey:            aws.String(leaf.KeyPEM),
			CertificateChain:      aws.String(chain),
			Tags:                  []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		m := out.ServerCertificateMetadata
		certID = aws.ToString(m.ServerCertificateId)
		if !serverCertIDRE.MatchString(certID) {
			t.Errorf("ServerCertificateId %q", certID)
		}
		if want := "arn:aws:iam::" + acct + ":server-certificate/cloudfront/test/www"; aws.ToString(m.Arn) != want {
			t.Errorf("Arn %q, want %q", aws.ToString(m.Arn), want)
		}
		if m.Expiration == nil || !m.Expiration.Equal(leaf.Cert.NotAfter) {
			t.Errorf("Expiration %v, want the certificate's NotAfter %v", m.Expiration, leaf.Cert.NotAfter)
		}
		if m.UploadDate == nil || time.Since(*m.UploadDate) > time.Minute {
			t.Errorf("UploadDate %v", m.UploadDate)
		}
		if got := fmt.Sprint(tagPairs(out.Tags)); got != "[env=prod]" {
			t.Errorf("Tags %s", got)
		}
	})

	t.Run("get returns body and chain, never the key", func(t *testing.T) {
		out, err := c.GetServerCertificate(cx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("WWW")})
		if err != nil {
			t.Fatal(err)
		}
		sc := out.ServerCertificate
		if aws.ToString(sc.CertificateBody) != leaf.CertPEM || aws.ToString(sc.CertificateChain) != chain {
			t.Errorf("body or chain differ from the upload")
		}
		if strings.Contains(aws.ToString(sc.CertificateBody)+aws.ToString(sc.CertificateChain), "PRIVATE KEY") {
			t.Error("GetServerCertificate returned a private key")
		}
		m := sc.ServerCertificateMetadata
		if aws.ToString(m.ServerCertificateName) != "www" || aws.ToString(m.Path) != "/cloudfront/test/" || aws.ToString(m.ServerCertificateId) != certID {
			t.Errorf("metadata %+v", m)
		}
		if got := fmt.Sprint(tagPairs(sc.Tags)); got != "[env=prod]" {
			t.Errorf("Tags %s", got)
		}
	})

	t.Run("the private key is sealed at rest", func(t *testing.T) {
		// The data directory's files must not hold the key's PEM body,
		// though they do hold the certificate's (the control that the
		// search sees the stored data).
		if !dataDirContains(t, in.DataDir, strings.Split(leaf.CertPEM, "\n")[1]) {
			t.Fatal("control: the stored certificate body is not found in the data directory")
		}
		if dataDirContains(t, in.DataDir, strings.Split(leaf.KeyPEM, "\n")[1]) {
			t.Error("the private key is stored in the clear")
		}
	})

	malformed := []struct {
		name, body, key, code, msg string
		chain                      *string
	}{
		{name: "garbage body", body: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", key: leaf.KeyPEM, code: "MalformedCertificate", msg: "Unable to parse certificate. Please ensure the certificate is in PEM format."},
		{name: "expired", body: expired.CertPEM, key: expired.KeyPEM, code: "MalformedCertificate", msg: "Unable to parse certificate."},
		{name: "mismatched key", body: leaf.CertPEM, key: other.KeyPEM, code: "KeyPairMismatch"},
		{name: "garbage key", body: leaf.CertPEM, key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", code: "MalformedCertificate"},
		{name: "chain out of order", body: leaf.CertPEM, key: leaf.KeyPEM, chain: aws.String(root.CertPEM + inter.CertPEM), code: "MalformedCertificate", msg: "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: -1"},
	}
	for _, tc := range malformed {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			_, err := c.UploadServerCertificate(cx, &iam.UploadServerCertificateInput{
				ServerCertificateName: aws.String("bad"),
				CertificateBody:       aws.String(tc.body),
				PrivateKey:            aws.String(tc.key),
				CertificateChain:      tc.chain,
			})
			apiErr(t, err, tc.code, tc.msg)
		})
	}
	if _, err := c.GetServerCertificate(cx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("bad")}); err == nil {
		t.Error("a refused upload left a certificate behind")
	}

	t.Run("name taken", func(t *testing.T) {
		_, err := c.UploadServerCertificate(cx, &iam.UploadServerCertificateInput{
			ServerCertificateName: aws.String("WWW"), CertificateBody: aws.String(other.CertPEM), PrivateKey: aws.String(other.KeyPEM),
		})
		apiErr(t, err, "EntityAlreadyExists", "The Server Certificate with name WWW already exists.")
	})

	t.Run("not found", func(t *testing.T) {
		_, err := c.GetServerCertificate(cx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("nonexistent-certificate")})
		apiErr(t, err, "NoSuchEntity", "The Server Certificate with name nonexistent-certificate cannot be found.")
		_, err = c.DeleteServerCertificate(cx, &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("nonexistent-certificate")})
		apiErr(t, err, "NoSuchEntity", "The Server Certificate with name nonexistent-certificate cannot be found.")
		_, err = c.UpdateServerCertificate(cx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("nonexistent-certificate"), NewPath: aws.String("/x/")})
		apiErr(t, err, "NoSuchEntity", "cannot be found")
		_, err = c.TagServerCertificate(cx, &iam.TagServerCertificateInput{ServerCertificateName: aws.String("nonexistent-certificate"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		apiErr(t, err, "NoSuchEntity", "cannot be found")
		_, err = c.UntagServerCertificate(cx, &iam.UntagServerCertificateInput{ServerCertificateName: aws.String("nonexistent-certificate"), TagKeys: []string{"k"}})
		apiErr(t, err, "NoSuchEntity", "cannot be found")
		_, err = c.ListServerCertificateTags(cx, &iam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("nonexistent-certificate")})
		apiErr(t, err, "NoSuchEntity", "cannot be found")
	})

	t.Run("tags", func(t *testing.T) {
		name := aws.String("www")
		if _, err := c.TagServerCertificate(cx, &iam.TagServerCertificateInput{ServerCertificateName: name, Tags: []iamtypes.Tag{
			{Key: aws.String("team"), Value: aws.String("web")}, {Key: aws.String("env"), Value: aws.String("staging")},
		}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UntagServerCertificate(cx, &iam.UntagServerCertificateInput{ServerCertificateName: name, TagKeys: []string{"team", "absent"}}); err != nil {
			t.Fatal(err)
		}
		out, err := c.ListServerCertificateTags(cx, &iam.ListServerCertificateTagsInput{ServerCertificateName: name})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(tagPairs(out.Tags)); got != "[env=staging]" {
			t.Errorf("tags after tag and untag: %s", got)
		}
		var fifty []iamtypes.Tag
		for i := range 50 {
			fifty = append(fifty, iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
		}
		_, err = c.TagServerCertificate(cx, &iam.TagServerCertificateInput{ServerCertificateName: name, Tags: fifty})
		apiErr(t, err, "LimitExceeded", "50")
	})

	t.Run("update renames and moves", func(t *testing.T) {
		if _, err := c.UploadServerCertificate(cx, &iam.UploadServerCertificateInput{
			ServerCertificateName: aws.String("other"), CertificateBody: aws.String(other.CertPEM), PrivateKey: aws.String(other.KeyPEM),
		}); err != nil {
			t.Fatal(err)
		}
		_, err := c.UpdateServerCertificate(cx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("other"), NewServerCertificateName: aws.String("www")})
		apiErr(t, err, "EntityAlreadyExists", "The Server Certificate with name www already exists.")
		if _, err := c.UpdateServerCertificate(cx, &iam.UpdateServerCertificateInput{
			ServerCertificateName: aws.String("other"), NewServerCertificateName: aws.String("renamed"), NewPath: aws.String("/moved/"),
		}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetServerCertificate(cx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("other")})
		apiErr(t, err, "NoSuchEntity", "The Server Certificate with name other cannot be found.")
		out, err := c.GetServerCertificate(cx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("renamed")})
		if err != nil {
			t.Fatal(err)
		}
		if m := out.ServerCertificate.ServerCertificateMetadata; aws.ToString(m.Path) != "/moved/" ||
			aws.ToString(m.Arn) != "arn:aws:iam::"+acct+":server-certificate/moved/renamed" {
			t.Errorf("after update: %+v", m)
		}
	})

	t.Run("list with path prefix and pages", func(t *testing.T) {
		out, err := c.ListServerCertificates(cx, &iam.ListServerCertificatesInput{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range out.ServerCertificateMetadataList {
			names = append(names, aws.ToString(m.ServerCertificateName))
		}
		if !sameSet(names, []string{"www", "renamed"}) {
			t.Errorf("ListServerCertificates = %v", names)
		}
		out, err = c.ListServerCertificates(cx, &iam.ListServerCertificatesInput{PathPrefix: aws.String("/cloudfront/")})
		if err != nil || len(out.ServerCertificateMetadataList) != 1 || aws.ToString(out.ServerCertificateMetadataList[0].ServerCertificateName) != "www" {
			t.Fatalf("with /cloudfront/: %+v, %v", out, err)
		}
		page, err := c.ListServerCertificates(cx, &iam.ListServerCertificatesInput{MaxItems: aws.Int32(1)})
		if err != nil || !page.IsTruncated || page.Marker == nil || len(page.ServerCertificateMetadataList) != 1 {
			t.Fatalf("first page: %+v, %v", page, err)
		}
		next, err := c.ListServerCertificates(cx, &iam.ListServerCertificatesInput{MaxItems: aws.Int32(1), Marker: page.Marker})
		if err != nil || next.IsTruncated || len(next.ServerCertificateMetadataList) != 1 ||
			aws.ToString(next.ServerCertificateMetadataList[0].ServerCertificateName) == aws.ToString(page.ServerCertificateMetadataList[0].ServerCertificateName) {
			t.Fatalf("second page: %+v, %v", next, err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if _, err := c.DeleteServerCertificate(cx, &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("renamed")}); err != nil {
			t.Fatal(err)
		}
		_, err := c.DeleteServerCertificate(cx, &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("renamed")})
		apiErr(t, err, "NoSuchEntity", "The Server Certificate with name renamed cannot be found.")
	})

	t.Run("quota of 20 per account", func(t *testing.T) {
		cert := pkiValid(t, "many.example.com", nil)
		for i := 1; i < 20; i++ { // "www" is the first
			if _, err := c.UploadServerCertificate(cx, &iam.UploadServerCertificateInput{
				ServerCertificateName: aws.String(fmt.Sprintf("many-%02d", i)), CertificateBody: aws.String(cert.CertPEM), PrivateKey: aws.String(cert.KeyPEM),
			}); err != nil {
				t.Fatalf("certificate %d: %v", i+1, err)
			}
		}
		_, err := c.UploadServerCertificate(cx, &iam.UploadServerCertificateInput{
			ServerCertificateName: aws.String("one-too-many"), CertificateBody: aws.String(cert.CertPEM), PrivateKey: aws.String(cert.KeyPEM),
		})
		apiErr(t, err, "LimitExceeded", "Cannot exceed quota for ServerCertificatesPerAccount: 20")
	})
}

// TestSigningCertificates walks the signing certificate operations through
// their happy, not-found, duplicate, malformed and quota paths.
func TestSigningCertificates(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	for _, u := range []string{"alice", "bob"} {
		if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	first, second, third := pkiValid(t, "one", nil), pkiValid(t, "two", nil), pkiValid(t, "three", nil)
	expired := pkiIssue(t, "old", nil, time.Now().AddDate(-2, 0, 0), time.Now().AddDate(-1, 0, 0), false)

	upload := func(user, body string) (*iamtypes.SigningCertificate, error) {
		in := &iam.UploadSigningCertificateInput{CertificateBody: aws.String(body)}
		if user != "" {
			in.UserName = aws.String(user)
		}
		out, err := c.UploadSigningCertificate(cx, in)
		if err != nil {
			return nil, err
		}
		return out.Certificate, nil
	}

	var id string
	t.Run("upload", func(t *testing.T) {
		cert, err := upload("alice", first.CertPEM)
		if err != nil {
			t.Fatal(err)
		}
		id = aws.ToString(cert.CertificateId)
		if !signingCertIDRE.MatchString(id) || aws.ToString(cert.UserName) != "alice" || cert.Status != iamtypes.StatusTypeActive ||
			aws.ToString(cert.CertificateBody) != first.CertPEM || cert.UploadDate == nil {
			t.Errorf("uploaded %+v", cert)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		_, err := upload("nonexistent-user", second.CertPEM)
		apiErr(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
		_, err = upload("alice", "invalid-certificate-body")
		apiErr(t, err, "MalformedCertificate", "Certificate invalid-certificate-body is malformed.")
		_, err = upload("alice", expired.CertPEM)
		apiErr(t, err, "InvalidCertificate", "")
		_, err = upload("bob", first.CertPEM)
		apiErr(t, err, "DuplicateCertificate", "")
		_, err = upload("alice", first.CertPEM)
		apiErr(t, err, "DuplicateCertificate", "")
	})

	t.Run("quota of two per user", func(t *testing.T) {
		if _, err := upload("alice", second.CertPEM); err != nil {
			t.Fatal(err)
		}
		_, err := upload("alice", third.CertPEM)
		apiErr(t, err, "LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2")
		if _, err := upload("bob", third.CertPEM); err != nil {
			t.Fatalf("bob's own quota: %v", err)
		}
	})

	t.Run("the caller's own certificates without UserName", func(t *testing.T) {
		cert, err := upload("", pkiValid(t, "admin", nil).CertPEM)
		if err != nil {
			t.Fatal(err)
		}
		list, err := c.ListSigningCertificates(cx, &iam.ListSigningCertificatesInput{})
		if err != nil || len(list.Certificates) != 1 || aws.ToString(list.Certificates[0].CertificateId) != aws.ToString(cert.CertificateId) {
			t.Fatalf("ListSigningCertificates without UserName: %+v, %v", list, err)
		}
		if aws.ToString(cert.UserName) == "" || aws.ToString(cert.UserName) == "alice" {
			t.Errorf("uploaded for %q, want the caller", aws.ToString(cert.UserName))
		}
	})

	t.Run("update status and list", func(t *testing.T) {
		if _, err := c.UpdateSigningCertificate(cx, &iam.UpdateSigningCertificateInput{UserName: aws.String("alice"), CertificateId: aws.String(id), Status: iamtypes.StatusTypeInactive}); err != nil {
			t.Fatal(err)
		}
		list, err := c.ListSigningCertificates(cx, &iam.ListSigningCertificatesInput{UserName: aws.String("alice")})
		if err != nil || len(list.Certificates) != 2 {
			t.Fatalf("ListSigningCertificates: %+v, %v", list, err)
		}
		for _, sc := range list.Certificates {
			want := iamtypes.StatusTypeActive
			if aws.ToString(sc.CertificateId) == id {
				want = iamtypes.StatusTypeInactive
			}
			if sc.Status != want || aws.ToString(sc.UserName) != "alice" || aws.ToString(sc.CertificateBody) == "" {
				t.Errorf("listed %+v", sc)
			}
		}
		page, err := c.ListSigningCertificates(cx, &iam.ListSigningCertificatesInput{UserName: aws.String("alice"), MaxItems: aws.Int32(1)})
		if err != nil || !page.IsTruncated || len(page.Certificates) != 1 {
			t.Fatalf("first page: %+v, %v", page, err)
		}
		_, err = c.ListSigningCertificates(cx, &iam.ListSigningCertificatesInput{UserName: aws.String("nonexistent-user")})
		apiErr(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	})

	t.Run("not found", func(t *testing.T) {
		missing := aws.String("NONEXISTENTCERTID12345678901")
		_, err := c.UpdateSigningCertificate(cx, &iam.UpdateSigningCertificateInput{UserName: aws.String("alice"), CertificateId: missing, Status: iamtypes.StatusTypeInactive})
		apiErr(t, err, "NoSuchEntity", "The Certificate with id NONEXISTENTCERTID12345678901 cannot be found.")
		_, err = c.DeleteSigningCertificate(cx, &iam.DeleteSigningCertificateInput{UserName: aws.String("alice"), CertificateId: missing})
		apiErr(t, err, "NoSuchEntity", "The Certificate with id NONEXISTENTCERTID12345678901 cannot be found.")
		// Another user's certificate is not found either.
		_, err = c.DeleteSigningCertificate(cx, &iam.DeleteSigningCertificateInput{UserName: aws.String("bob"), CertificateId: aws.String(id)})
		apiErr(t, err, "NoSuchEntity", "The Certificate with id "+id+" cannot be found.")
		_, err = c.DeleteSigningCertificate(cx, &iam.DeleteSigningCertificateInput{UserName: aws.String("nonexistent-user"), CertificateId: missing})
		apiErr(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	})

	t.Run("a user with certificates cannot be deleted", func(t *testing.T) {
		_, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("bob")})
		apiErr(t, err, "DeleteConflict", "Cannot delete entity, must delete signing certificates first.")
		list, err := c.ListSigningCertificates(cx, &iam.ListSigningCertificatesInput{UserName: aws.String("bob")})
		if err != nil || len(list.Certificates) != 1 {
			t.Fatalf("bob's certificates: %+v, %v", list, err)
		}
		if _, err := c.DeleteSigningCertificate(cx, &iam.DeleteSigningCertificateInput{UserName: aws.String("bob"), CertificateId: list.Certificates[0].CertificateId}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
			t.Fatal(err)
		}
	})
}

// sshKey returns a fresh RSA public key of the given size in OpenSSH's
// authorized_keys form, with a comment, and its MD5 fingerprint.
func sshKey(t *testing.T, bits int) (string, string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(pub.Marshal())
	hexPairs := make([]string, len(sum))
	for i, b := range sum {
		hexPairs[i] = fmt.Sprintf("%02x", b)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " someone@example", strings.Join(hexPairs, ":")
}

// TestSSHPublicKeys walks the SSH public key operations through their
// happy, not-found, duplicate, encoding and quota paths.
func TestSSHPublicKeys(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	cx := ctx(t)
	if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	body, fingerprint := sshKey(t, 2048)

	var id string
	t.Run("upload", func(t *testing.T) {
		out, err := c.UploadSSHPublicKey(cx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(body)})
		if err != nil {
			t.Fatal(err)
		}
		k := out.SSHPublicKey
		id = aws.ToString(k.SSHPublicKeyId)
		if !sshKeyIDRE.MatchString(id) || aws.ToString(k.Fingerprint) != fingerprint || k.Status != iamtypes.StatusTypeActive ||
			aws.ToString(k.UserName) != "alice" || k.UploadDate == nil || !strings.HasPrefix(aws.ToString(k.SSHPublicKeyBody), "ssh-rsa AAAA") {
			t.Errorf("uploaded %+v (want fingerprint %s)", k, fingerprint)
		}
		if !md5FingerprintRE.MatchString(aws.ToString(k.Fingerprint)) {
			t.Errorf("fingerprint %q is not MD5 hex pairs", aws.ToString(k.Fingerprint))
		}
	})

	t.Run("get in both encodings", func(t *testing.T) {
		out, err := c.GetSSHPublicKey(cx, &iam.GetSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(id), Encoding: iamtypes.EncodingTypeSsh})
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Join(strings.Fields(body)[:2], " "); aws.ToString(out.SSHPublicKey.SSHPublicKeyBody) != want {
			t.Errorf("SSH encoding %q, want %q", aws.ToString(out.SSHPublicKey.SSHPublicKeyBody), want)
		}
		out, err = c.GetSSHPublicKey(cx, &iam.GetSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(id), Encoding: iamtypes.EncodingTypePem})
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode([]byte(aws.ToString(out.SSHPublicKey.SSHPublicKeyBody)))
		if block == nil || block.Type != "PUBLIC KEY" {
			t.Fatalf("PEM encoding %q", aws.ToString(out.SSHPublicKey.SSHPublicKeyBody))
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		sshPub, _ := ssh.NewPublicKey(pub)
		if got := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))); got != strings.Join(strings.Fields(body)[:2], " ") {
			t.Error("the PEM encoding is another key")
		}
		if aws.ToString(out.SSHPublicKey.Fingerprint) != fingerprint {
			t.Errorf("fingerprint %q", aws.ToString(out.SSHPublicKey.Fingerprint))
		}
	})

	t.Run("refusals", func(t *testing.T) {
		upload := func(b string) error {
			_, err := c.UploadSSHPublicKey(cx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(b)})
			return err
		}
		apiErr(t, upload(body), "DuplicateSSHPublicKey", "")
		// The same key in PEM is the same key.
		k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKIXPublicKey(k.(ssh.CryptoPublicKey).CryptoPublicKey())
		apiErr(t, upload(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))), "DuplicateSSHPublicKey", "")
		edPub, _, _ := ed25519.GenerateKey(rand.Reader)
		edSSH, _ := ssh.NewPublicKey(edPub)
		apiErr(t, upload(string(ssh.MarshalAuthorizedKey(edSSH))), "UnrecognizedPublicKeyEncoding", "")
		apiErr(t, upload("not a key at all"), "UnrecognizedPublicKeyEncoding", "")
		small, _ := sshKey(t, 1024)
		apiErr(t, upload(small), "InvalidPublicKey", "")
		apiErr(t, upload("ssh-rsa "+base64.StdEncoding.EncodeToString([]byte("junk"))), "InvalidPublicKey", "")
		_, err = c.UploadSSHPublicKey(cx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("nonexistent-user"), SSHPublicKeyBody: aws.String(body)})
		apiErr(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	})

	t.Run("quota of five per user", func(t *testing.T) {
		for i := 2; i <= 5; i++ {
			b, _ := sshKey(t, 2048)
			if _, err := c.UploadSSHPublicKey(cx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(b)}); err != nil {
				t.Fatalf("key %d: %v", i, err)
			}
		}
		b, _ := sshKey(t, 2048)
		_, err := c.UploadSSHPublicKey(cx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyBody: aws.String(b)})
		apiErr(t, err, "LimitExceeded", "5")
	})

	t.Run("update status and list", func(t *testing.T) {
		if _, err := c.UpdateSSHPublicKey(cx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(id), Status: iamtypes.StatusTypeInactive}); err != nil {
			t.Fatal(err)
		}
		list, err := c.ListSSHPublicKeys(cx, &iam.ListSSHPublicKeysInput{UserName: aws.String("alice")})
		if err != nil || len(list.SSHPublicKeys) != 5 || list.IsTruncated {
			t.Fatalf("ListSSHPublicKeys: %+v, %v", list, err)
		}
		for _, k := range list.SSHPublicKeys {
			want := iamtypes.StatusTypeActive
			if aws.ToString(k.SSHPublicKeyId) == id {
				want = iamtypes.StatusTypeInactive
			}
			if k.Status != want || aws.ToString(k.UserName) != "alice" || k.UploadDate == nil {
				t.Errorf("listed %+v", k)
			}
		}
		page, err := c.ListSSHPublicKeys(cx, &iam.ListSSHPublicKeysInput{UserName: aws.String("alice"), MaxItems: aws.Int32(2)})
		if err != nil || !page.IsTruncated || len(page.SSHPublicKeys) != 2 {
			t.Fatalf("first page: %+v, %v", page, err)
		}
		_, err = c.ListSSHPublicKeys(cx, &iam.ListSSHPublicKeysInput{UserName: aws.String("nonexistent-user")})
		apiErr(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	})

	t.Run("not found", func(t *testing.T) {
		missing := aws.String("APKAXXXXXXXXXXXXXXXXX")
		_, err := c.GetSSHPublicKey(cx, &iam.GetSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: missing, Encoding: iamtypes.EncodingTypeSsh})
		apiErr(t, err, "NoSuchEntity", "The Public Key with id APKAXXXXXXXXXXXXXXXXX cannot be found.")
		_, err = c.UpdateSSHPublicKey(cx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: missing, Status: iamtypes.StatusTypeActive})
		apiErr(t, err, "NoSuchEntity", "The Public Key with id APKAXXXXXXXXXXXXXXXXX cannot be found.")
		_, err = c.DeleteSSHPublicKey(cx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: missing})
		apiErr(t, err, "NoSuchEntity", "The Public Key with id APKAXXXXXXXXXXXXXXXXX cannot be found.")
	})

	t.Run("delete, and the user after its keys", func(t *testing.T) {
		_, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("alice")})
		apiErr(t, err, "DeleteConflict", "")
		list, err := c.ListSSHPublicKeys(cx, &iam.ListSSHPublicKeysInput{UserName: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range list.SSHPublicKeys {
			if _, err := c.DeleteSSHPublicKey(cx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: k.SSHPublicKeyId}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = c.DeleteSSHPublicKey(cx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("alice"), SSHPublicKeyId: aws.String(id)})
		apiErr(t, err, "NoSuchEntity", "The Public Key with id "+id+" cannot be found.")
		if _, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestServiceSpecificCredentials walks the service-specific credential
// operations through their happy, not-found, unsupported-service and quota
// paths, for a password service (CodeCommit) and an API key service
// (Bedrock).
func TestServiceSpecificCredentials(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	acct := callerAccount(t, in, admin)
	for _, u := range []string{"alice", "bob"} {
		if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	create := func(user, service string, days int32) (*iamtypes.ServiceSpecificCredential, error) {
		in := &iam.CreateServiceSpecificCredentialInput{UserName: aws.String(user), ServiceName: aws.String(service)}
		if days > 0 {
			in.CredentialAgeDays = aws.Int32(days)
		}
		out, err := c.CreateServiceSpecificCredential(cx, in)
		if err != nil {
			return nil, err
		}
		return out.ServiceSpecificCredential, nil
	}

	var first *iamtypes.ServiceSpecificCredential
	t.Run("CodeCommit credentials", func(t *testing.T) {
		var err error
		if first, err = create("alice", "codecommit.amazonaws.com", 0); err != nil {
			t.Fatal(err)
		}
		if !serviceCredIDRE.MatchString(aws.ToString(first.ServiceSpecificCredentialId)) ||
			aws.ToString(first.ServiceUserName) != "alice-at-"+acct || len(aws.ToString(first.ServicePassword)) != 44 ||
			first.Status != iamtypes.StatusTypeActive || aws.ToString(first.UserName) != "alice" ||
			aws.ToString(first.ServiceName) != "codecommit.amazonaws.com" || first.CreateDate == nil || first.ExpirationDate != nil {
			t.Errorf("created %+v", first)
		}
		second, err := create("alice", "codecommit.amazonaws.com", 0)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(second.ServiceUserName) != "alice+1-at-"+acct || aws.ToString(second.ServicePassword) == aws.ToString(first.ServicePassword) {
			t.Errorf("second credential %+v", second)
		}
		_, err = create("alice", "codecommit.amazonaws.com", 0)
		apiErr(t, err, "LimitExceeded", "2")
		if _, err := create("alice", "cassandra.amazonaws.com", 0); err != nil {
			t.Fatalf("another service has its own quota: %v", err)
		}
	})

	t.Run("the password is sealed at rest", func(t *testing.T) {
		if !dataDirContains(t, in.DataDir, aws.ToString(first.ServiceUserName)) {
			t.Fatal("control: the stored service user name is not found in the data directory")
		}
		if dataDirContains(t, in.DataDir, aws.ToString(first.ServicePassword)) {
			t.Error("the service password is stored in the clear")
		}
	})

	t.Run("Bedrock API key with an expiry", func(t *testing.T) {
		k, err := create("bob", "bedrock.amazonaws.com", 30)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(k.ServiceCredentialAlias) == "" || !strings.HasPrefix(aws.ToString(k.ServiceCredentialSecret), "ABSK") ||
			k.ServicePassword != nil || k.ExpirationDate == nil || k.CreateDate == nil {
			t.Fatalf("created %+v", k)
		}
		if d := k.ExpirationDate.Sub(*k.CreateDate); d != 30*24*time.Hour {
			t.Errorf("expires %v after creation, want 30 days", d)
		}
		_, err = create("bob", "codecommit.amazonaws.com", 30)
		apiErr(t, err, "InvalidInput", "")
	})

	t.Run("refusals", func(t *testing.T) {
		_, err := create("alice", "s3.amazonaws.com", 0)
		apiErr(t, err, "NoSuchEntity", "No such service s3.amazonaws.com is supported for Service Specific Credentials")
		_, err = create("nonexistent-user", "codecommit.amazonaws.com", 0)
		apiErr(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	})

	t.Run("list", func(t *testing.T) {
		out, err := c.ListServiceSpecificCredentials(cx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("alice")})
		if err != nil || len(out.ServiceSpecificCredentials) != 3 {
			t.Fatalf("alice's credentials: %+v, %v", out, err)
		}
		out, err = c.ListServiceSpecificCredentials(cx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("alice"), ServiceName: aws.String("codecommit.amazonaws.com")})
		if err != nil || len(out.ServiceSpecificCredentials) != 2 {
			t.Fatalf("alice's CodeCommit credentials: %+v, %v", out, err)
		}
		for _, m := range out.ServiceSpecificCredentials {
			if aws.ToString(m.ServiceName) != "codecommit.amazonaws.com" || aws.ToString(m.UserName) != "alice" || !strings.HasSuffix(aws.ToString(m.ServiceUserName), "-at-"+acct) {
				t.Errorf("listed %+v", m)
			}
		}
		out, err = c.ListServiceSpecificCredentials(cx, &iam.ListServiceSpecificCredentialsInput{ServiceName: aws.String("bedrock.amazonaws.com"), AllUsers: aws.Bool(true)})
		if err != nil || len(out.ServiceSpecificCredentials) != 1 || aws.ToString(out.ServiceSpecificCredentials[0].UserName) != "bob" ||
			out.ServiceSpecificCredentials[0].ExpirationDate == nil || aws.ToString(out.ServiceSpecificCredentials[0].ServiceCredentialAlias) == "" {
			t.Fatalf("Bedrock credentials of all users: %+v, %v", out, err)
		}
		page, err := c.ListServiceSpecificCredentials(cx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("alice"), MaxItems: aws.Int32(2)})
		if err != nil || !page.IsTruncated || len(page.ServiceSpecificCredentials) != 2 {
			t.Fatalf("first page: %+v, %v", page, err)
		}
		_, err = c.ListServiceSpecificCredentials(cx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("nonexistent-user")})
		apiErr(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	})

	id := first.ServiceSpecificCredentialId
	t.Run("reset makes a new password", func(t *testing.T) {
		out, err := c.ResetServiceSpecificCredential(cx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String("alice"), ServiceSpecificCredentialId: id})
		if err != nil {
			t.Fatal(err)
		}
		p := aws.ToString(out.ServiceSpecificCredential.ServicePassword)
		if len(p) != 44 || p == aws.ToString(first.ServicePassword) || aws.ToString(out.ServiceSpecificCredential.ServiceUserName) != "alice-at-"+acct {
			t.Errorf("reset %+v", out.ServiceSpecificCredential)
		}
	})

	t.Run("update status", func(t *testing.T) {
		if _, err := c.UpdateServiceSpecificCredential(cx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String("alice"), ServiceSpecificCredentialId: id, Status: iamtypes.StatusTypeInactive}); err != nil {
			t.Fatal(err)
		}
		out, err := c.ListServiceSpecificCredentials(cx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("alice"), ServiceName: aws.String("codecommit.amazonaws.com")})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.ServiceSpecificCredentials {
			if aws.ToString(m.ServiceSpecificCredentialId) == aws.ToString(id) && m.Status != iamtypes.StatusTypeInactive {
				t.Errorf("status %s after update", m.Status)
			}
		}
	})

	t.Run("not found", func(t *testing.T) {
		missing := aws.String("ACCAXXXXXXXXXXXXXXXXX")
		_, err := c.ResetServiceSpecificCredential(cx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String("alice"), ServiceSpecificCredentialId: missing})
		apiErr(t, err, "NoSuchEntity", "No such credential ACCAXXXXXXXXXXXXXXXXX exists")
		_, err = c.UpdateServiceSpecificCredential(cx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String("alice"), ServiceSpecificCredentialId: missing, Status: iamtypes.StatusTypeActive})
		apiErr(t, err, "NoSuchEntity", "No such credential ACCAXXXXXXXXXXXXXXXXX exists")
		_, err = c.DeleteServiceSpecificCredential(cx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("bob"), ServiceSpecificCredentialId: id})
		apiErr(t, err, "NoSuchEntity", "No such credential "+aws.ToString(id)+" exists")
	})

	t.Run("delete, and the user after its credentials", func(t *testing.T) {
		_, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("alice")})
		apiErr(t, err, "DeleteConflict", "")
		if _, err := c.DeleteServiceSpecificCredential(cx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("alice"), ServiceSpecificCredentialId: id}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteServiceSpecificCredential(cx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("alice"), ServiceSpecificCredentialId: id})
		apiErr(t, err, "NoSuchEntity", "No such credential "+aws.ToString(id)+" exists")
		out, err := c.ListServiceSpecificCredentials(cx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.ServiceSpecificCredentials {
			if _, err := c.DeleteServiceSpecificCredential(cx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("alice"), ServiceSpecificCredentialId: m.ServiceSpecificCredentialId}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
			t.Fatal(err)
		}
	})
}

// dataDirContains reports whether any file under the data directory (the
// database, its write-ahead log, the key files) contains s: secrets must be
// sealed before they reach the store.
func dataDirContains(t *testing.T, dir, s string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(s)) {
			found = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
