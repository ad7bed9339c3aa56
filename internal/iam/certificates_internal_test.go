package iam

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/awsquery"
	"golang.org/x/crypto/ssh"
)

// testNow is the clock the certificate tests check validity against.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// testCert is a generated certificate with its key, in PEM and parsed.
type testCert struct {
	CertPEM string
	KeyPEM  string
	Cert    *x509.Certificate
	Key     crypto.Signer
}

// newTestCert issues a certificate for a fresh key of the given kind
// ("ecdsa" or "rsa"), signed by parent (self-signed when nil), valid from
// notBefore to notAfter; isCA makes it able to sign others.
func newTestCert(t testing.TB, kind, cn string, parent *testCert, notBefore, notAfter time.Time, isCA bool) *testCert {
	t.Helper()
	var key crypto.Signer
	var keyDER []byte
	var keyType string
	var err error
	switch kind {
	case "rsa":
		k, gerr := rsa.GenerateKey(rand.Reader, 2048)
		if gerr != nil {
			t.Fatal(gerr)
		}
		key, keyDER, keyType = k, x509.MarshalPKCS1PrivateKey(k), "RSA PRIVATE KEY"
	default:
		k, gerr := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if gerr != nil {
			t.Fatal(gerr)
		}
		key = k
		if keyDER, err = x509.MarshalPKCS8PrivateKey(k); err != nil {
			t.Fatal(err)
		}
		keyType = "PRIVATE KEY"
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
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
	return &testCert{
		CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		KeyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: keyType, Bytes: keyDER})),
		Cert:    cert,
		Key:     key,
	}
}

// wantWireError checks that err is the AWS error code, and that its
// message contains msg.
func wantWireError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var we *awsquery.Error
	if !errors.As(err, &we) {
		t.Fatalf("got %v, want AWS error %s", err, code)
	}
	if we.Code != code || !strings.Contains(we.Message, msg) {
		t.Fatalf("got %s %q, want %s containing %q", we.Code, we.Message, code, msg)
	}
}

func TestParseServerCertificate(t *testing.T) {
	t.Parallel()
	from, to := testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0)
	root := newTestCert(t, "ecdsa", "root", nil, from, to, true)
	inter := newTestCert(t, "ecdsa", "intermediate", root, from, to, true)
	leaf := newTestCert(t, "ecdsa", "www.example.com", inter, from, to, false)
	rsaLeaf := newTestCert(t, "rsa", "rsa.example.com", nil, from, to, false)
	other := newTestCert(t, "ecdsa", "other", nil, from, to, false)
	expired := newTestCert(t, "ecdsa", "expired", nil, from.AddDate(-2, 0, 0), from, false)
	future := newTestCert(t, "ecdsa", "future", nil, to, to.AddDate(1, 0, 0), false)
	encrypted := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte("x")}))

	chain := func(cs ...*testCert) *string {
		var b strings.Builder
		for _, c := range cs {
			b.WriteString(c.CertPEM)
		}
		s := b.String()
		return &s
	}
	garbage := "not a certificate"
	interAndKey := *chain(inter) + leaf.KeyPEM
	cases := []struct {
		name       string
		body, key  string
		chain      *string
		code, msg  string
		chainLen   int
		wantExpiry time.Time
	}{
		{name: "ECDSA with its chain", body: leaf.CertPEM, key: leaf.KeyPEM, chain: chain(inter, root), chainLen: 2, wantExpiry: leaf.Cert.NotAfter},
		{name: "chain of the immediate issuer only", body: leaf.CertPEM, key: leaf.KeyPEM, chain: chain(inter), chainLen: 1},
		{name: "self-signed RSA, PKCS#1 key, no chain", body: rsaLeaf.CertPEM, key: rsaLeaf.KeyPEM},
		{name: "surrounding whitespace", body: "\n" + leaf.CertPEM + "\n\n", key: leaf.KeyPEM + "\n"},
		{name: "garbage body", body: garbage, key: leaf.KeyPEM, code: "MalformedCertificate", msg: msgMalformedCertificate},
		{name: "key as body", body: leaf.KeyPEM, key: leaf.KeyPEM, code: "MalformedCertificate", msg: msgMalformedCertificate},
		{name: "two certificates as body", body: leaf.CertPEM + inter.CertPEM, key: leaf.KeyPEM, code: "MalformedCertificate", msg: msgMalformedCertificate},
		{name: "corrupt DER", body: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")})), key: leaf.KeyPEM, code: "MalformedCertificate", msg: msgMalformedCertificate},
		{name: "expired", body: expired.CertPEM, key: expired.KeyPEM, code: "MalformedCertificate", msg: msgMalformedCertificate},
		{name: "not yet valid", body: future.CertPEM, key: future.KeyPEM, code: "MalformedCertificate", msg: msgMalformedCertificate},
		{name: "garbage key", body: leaf.CertPEM, key: garbage, code: "MalformedCertificate", msg: msgMalformedPrivateKey},
		{name: "encrypted key", body: leaf.CertPEM, key: encrypted, code: "MalformedCertificate", msg: msgMalformedPrivateKey},
		{name: "certificate as key", body: leaf.CertPEM, key: leaf.CertPEM, code: "MalformedCertificate", msg: msgMalformedPrivateKey},
		{name: "another key", body: leaf.CertPEM, key: other.KeyPEM, code: "KeyPairMismatch", msg: msgKeyPairMismatch},
		{name: "RSA key for ECDSA certificate", body: leaf.CertPEM, key: rsaLeaf.KeyPEM, code: "KeyPairMismatch", msg: msgKeyPairMismatch},
		{name: "garbage chain", body: leaf.CertPEM, key: leaf.KeyPEM, chain: &garbage, code: "MalformedCertificate", msg: msgMalformedChain},
		{name: "key in chain", body: leaf.CertPEM, key: leaf.KeyPEM, chain: &interAndKey, code: "MalformedCertificate", msg: msgMalformedChain},
		{name: "chain without the issuer", body: leaf.CertPEM, key: leaf.KeyPEM, chain: chain(root), code: "MalformedCertificate", msg: "invalid certificate is: -1"},
		{name: "chain out of order", body: leaf.CertPEM, key: leaf.KeyPEM, chain: chain(inter, other), code: "MalformedCertificate", msg: "invalid certificate is: 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc, err := parseServerCertificate(tc.body, tc.key, tc.chain, testNow)
			if tc.code != "" {
				wantWireError(t, err, tc.code, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.Chain) != tc.chainLen {
				t.Errorf("chain of %d certificates, want %d", len(sc.Chain), tc.chainLen)
			}
			if !tc.wantExpiry.IsZero() && !sc.Leaf.NotAfter.Equal(tc.wantExpiry) {
				t.Errorf("expiry %v, want %v", sc.Leaf.NotAfter, tc.wantExpiry)
			}
		})
	}
}

func TestParseSigningCertificate(t *testing.T) {
	t.Parallel()
	from, to := testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0)
	good := newTestCert(t, "rsa", "signer", nil, from, to, false)
	expired := newTestCert(t, "ecdsa", "expired", nil, from.AddDate(-2, 0, 0), from, false)

	_, fp, err := parseSigningCertificate(good.CertPEM, testNow)
	if err != nil {
		t.Fatal(err)
	}
	// The fingerprint identifies the certificate whatever its PEM layout.
	_, fp2, err := parseSigningCertificate("\r\n"+strings.ReplaceAll(good.CertPEM, "\n", "\r\n"), testNow)
	if err != nil || fp2 != fp || len(fp) != 64 {
		t.Errorf("fingerprints %q and %q (%v); want equal SHA-256 hex", fp, fp2, err)
	}
	_, _, err = parseSigningCertificate("invalid-certificate-body", testNow)
	wantWireError(t, err, "MalformedCertificate", "Certificate invalid-certificate-body is malformed.")
	_, _, err = parseSigningCertificate(good.KeyPEM, testNow)
	wantWireError(t, err, "MalformedCertificate", "is malformed.")
	_, _, err = parseSigningCertificate(expired.CertPEM, testNow)
	wantWireError(t, err, "InvalidCertificate", "validity period")
}

// The public key and fingerprint below were made with OpenSSH:
// ssh-keygen -t rsa -b 2048 -C alice@example; ssh-keygen -l -E md5;
// ssh-keygen -e -m PKCS8.
const (
	testSSHKey         = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQChBkUQMfzwhu2B/M/JbWpWn1dm2UenkNDFpi17MgPd2gGznxPUaYdtqAia8p3/lAadhtYm/yNZWd8AK3zQuK+t4BxQ5OKVUk0XPqfh+CaUB9N7U7ruQ+U6M6ucdRCM7+gG2ZkMz9GvQ9+4F3AW77R8/wb1MAlopW7Ha1okRzU/03y3wigRqNKJjhHhL/GEWzwEMIU4IwoPd3SDWV+qGEDqdUnChchZjSEWb5wmuLCj6kxbi89BSu6mNv75nwUf9JH8+a8LMALKAl9ooVzNtpouMe+W0wiR5y5RjKWy2QkrNIAosAbFUK54r9gL/kTfVMET+hYdQgwXoVZSdVl0a48P"
	testSSHFingerprint = "75:78:f3:17:ab:d0:15:05:d0:a6:62:f1:2f:95:fb:a6"
	testSSHKeyPEM      = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoQZFEDH88IbtgfzPyW1q
Vp9XZtlHp5DQxaYtezID3doBs58T1GmHbagImvKd/5QGnYbWJv8jWVnfACt80Liv
reAcUOTilVJNFz6n4fgmlAfTe1O67kPlOjOrnHUQjO/oBtmZDM/Rr0PfuBdwFu+0
fP8G9TAJaKVux2taJEc1P9N8t8IoEajSiY4R4S/xhFs8BDCFOCMKD3d0g1lfqhhA
6nVJwoXIWY0hFm+cJriwo+pMW4vPQUrupjb++Z8FH/SR/PmvCzACygJfaKFczbaa
LjHvltMIkecuUYylstkJKzSAKLAGxVCueK/YC/5E31TBE/oWHUIMF6FWUnVZdGuP
DwIDAQAB
-----END PUBLIC KEY-----
`
)

func TestParseSSHPublicKey(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallSSH, _ := ssh.NewPublicKey(&small.PublicKey)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	edSSH, _ := ssh.NewPublicKey(edPub)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	pkcs1 := func() string {
		k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(testSSHKey))
		if err != nil {
			t.Fatal(err)
		}
		der := x509.MarshalPKCS1PublicKey(k.(ssh.CryptoPublicKey).CryptoPublicKey().(*rsa.PublicKey))
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: der}))
	}()

	cases := []struct {
		name, body, code string
	}{
		{name: "OpenSSH with comment", body: testSSHKey + " alice@example"},
		{name: "OpenSSH without comment", body: testSSHKey},
		{name: "trailing newline", body: testSSHKey + " alice@example\n"},
		{name: "PEM PKIX", body: testSSHKeyPEM},
		{name: "PEM PKCS#1", body: pkcs1},
		{name: "ed25519", body: string(ssh.MarshalAuthorizedKey(edSSH)), code: "UnrecognizedPublicKeyEncoding"},
		{name: "ECDSA PEM", body: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecDER})), code: "UnrecognizedPublicKeyEncoding"},
		{name: "garbage", body: "hello", code: "UnrecognizedPublicKeyEncoding"},
		{name: "private key PEM", body: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", code: "UnrecognizedPublicKeyEncoding"},
		{name: "1024-bit RSA", body: string(ssh.MarshalAuthorizedKey(smallSSH)), code: "InvalidPublicKey"},
		{name: "ssh-rsa with bad base64", body: "ssh-rsa not-base64!", code: "InvalidPublicKey"},
		{name: "ssh-rsa with another key's blob", body: "ssh-rsa " + strings.Fields(string(ssh.MarshalAuthorizedKey(edSSH)))[1], code: "InvalidPublicKey"},
		{name: "two keys", body: testSSHKey + "\n" + testSSHKey, code: "InvalidPublicKey"},
		{name: "PEM with corrupt DER", body: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", code: "InvalidPublicKey"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := parseSSHPublicKey(tc.body)
			if tc.code != "" {
				wantWireError(t, err, tc.code, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sshFingerprint(k); got != testSSHFingerprint {
				t.Errorf("fingerprint %s, want ssh-keygen's %s", got, testSSHFingerprint)
			}
			if got, err := encodeSSHPublicKey(k, sshEncodingSSH); err != nil || got != testSSHKey {
				t.Errorf("SSH encoding %q, %v", got, err)
			}
			if got, err := encodeSSHPublicKey(k, sshEncodingPEM); err != nil || got != testSSHKeyPEM {
				t.Errorf("PEM encoding %q, %v; want ssh-keygen's", got, err)
			}
		})
	}
}

func TestCheckCredentialStatus(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"Active", "Inactive"} {
		if err := checkCredentialStatus(s, "Certificate"); err != nil {
			t.Errorf("%s refused: %v", s, err)
		}
	}
	wantWireError(t, checkCredentialStatus("Expired", "Certificate"), "InvalidInput", "Certificate status must be Active or Inactive.")
}

func TestServiceCredentialHelpers(t *testing.T) {
	t.Parallel()
	if got := serviceUserName("jane", "123456789012", 0); got != "jane-at-123456789012" {
		t.Errorf("first user name %q", got)
	}
	if got := serviceUserName("jane", "123456789012", 1); got != "jane+1-at-123456789012" {
		t.Errorf("second user name %q", got)
	}
	p := newServicePassword()
	if len(p) != 44 || p == newServicePassword() {
		t.Errorf("password %q: want 44 characters, fresh each time", p)
	}
	if _, err := lookupCredentialService("codecommit.amazonaws.com"); err != nil {
		t.Error(err)
	}
	_, err := lookupCredentialService("s3.amazonaws.com")
	wantWireError(t, err, "NoSuchEntity", "No such service s3.amazonaws.com is supported for Service Specific Credentials")
	svc, _ := lookupCredentialService("bedrock.amazonaws.com")
	if key := apiKeySecret(svc, "jane-at-123456789012", "pw"); !strings.HasPrefix(key, "ABSK") {
		t.Errorf("Bedrock API key %q does not start with ABSK", key)
	}
	if id := randomUpperID(32); len(id) != 32 || strings.ToUpper(id) != id {
		t.Errorf("id %q", id)
	}
}

func BenchmarkParseServerCertificate(b *testing.B) {
	from, to := testNow.AddDate(-1, 0, 0), testNow.AddDate(1, 0, 0)
	root := newTestCert(b, "rsa", "root", nil, from, to, true)
	leaf := newTestCert(b, "rsa", "www.example.com", root, from, to, false)
	for b.Loop() {
		if _, err := parseServerCertificate(leaf.CertPEM, leaf.KeyPEM, &root.CertPEM, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSSHPublicKey(b *testing.B) {
	for b.Loop() {
		if _, err := parseSSHPublicKey(testSSHKey); err != nil {
			b.Fatal(err)
		}
	}
}
