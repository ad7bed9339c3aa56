package iam

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestOIDCProviderID(t *testing.T) {
	t.Parallel()
	cases := []struct{ url, id string }{
		{"https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com"},
		{"https://oidc.eks.us-east-1.amazonaws.com/id/2B375A5F893E2A5921B4D7E36C0D1D97", "oidc.eks.us-east-1.amazonaws.com/id/2B375A5F893E2A5921B4D7E36C0D1D97"},
		{"https://example.com/oidc", "example.com/oidc"},
		{"https://example.com:8443", "example.com:8443"},
		{"example.org", ""},
		{"http://example.org", ""},
		{"https://", ""},
		{"https:///path", ""},
		{"https://example.com?x=1", ""},
		{"https://example.com#frag", ""},
		{"https://user@example.com", ""},
		{"https://exa mple.com", ""},
		{"HTTPS://example.com", ""},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			id, err := oidcProviderID(tc.url)
			if tc.id == "" {
				wantWireError(t, err, "ValidationError", "Invalid Open ID Connect Provider URL")
				return
			}
			if err != nil || id != tc.id {
				t.Fatalf("oidcProviderID(%q) = %q, %v; want %q", tc.url, id, err, tc.id)
			}
		})
	}
}

func TestCheckThumbprints(t *testing.T) {
	t.Parallel()
	hex40 := strings.Repeat("aB09", 10)
	if err := checkThumbprints([]string{hex40, strings.Repeat("f", 40)}); err != nil {
		t.Fatal(err)
	}
	if err := checkThumbprints(nil); err != nil {
		t.Fatal(err)
	}
	six := []string{hex40, hex40, hex40, hex40, hex40, hex40}
	wantWireError(t, checkThumbprints(six), "InvalidInput", "Thumbprint list must contain fewer than 5 entries.")
	wantWireError(t, checkThumbprints([]string{strings.Repeat("g", 40)}), "InvalidInput", "not a hex-encoded SHA-1 hash")
	if got := uniqueStrings([]string{"b", "a", "b", "c", "a"}); fmt.Sprint(got) != "[b a c]" {
		t.Errorf("uniqueStrings = %v", got)
	}
}

func TestParseProviderARN(t *testing.T) {
	t.Parallel()
	cases := []struct {
		arn, kind, code, id string
	}{
		{arn: "arn:aws:iam::123456789012:oidc-provider/example.com/path", kind: "oidc-provider", id: "example.com/path"},
		{arn: "arn:aws-cn:iam::123456789012:saml-provider/MyIdP", kind: "saml-provider", id: "MyIdP"},
		{arn: "not-an-arn", kind: "oidc-provider", code: "ValidationError"},
		{arn: "arn:aws:iam::123456789012:saml-provider/MyIdP", kind: "oidc-provider", code: "InvalidInput"},
		{arn: "arn:aws:iam::123456789012:oidc-provider/", kind: "oidc-provider", code: "InvalidInput"},
		{arn: "arn:aws:sts::123456789012:oidc-provider/x", kind: "oidc-provider", code: "InvalidInput"},
		{arn: "arn:aws:iam::aws:oidc-provider/x", kind: "oidc-provider", code: "InvalidInput"},
	}
	for _, tc := range cases {
		t.Run(tc.arn, func(t *testing.T) {
			p, err := parseProviderARN(tc.arn, tc.kind)
			if tc.code != "" {
				wantWireError(t, err, tc.code, "ARN "+tc.arn+" is not valid.")
				return
			}
			if err != nil || p.ID != tc.id || p.Account != "123456789012" {
				t.Fatalf("parseProviderARN = %+v, %v", p, err)
			}
		})
	}
	if got := oidcProviderARN("aws", "123456789012", "example.com/p"); got != "arn:aws:iam::123456789012:oidc-provider/example.com/p" {
		t.Errorf("oidcProviderARN = %s", got)
	}
	if got := samlProviderARN("aws", "123456789012", "IdP"); got != "arn:aws:iam::123456789012:saml-provider/IdP" {
		t.Errorf("samlProviderARN = %s", got)
	}
}

// samlMetadataDoc is a SAML 2.0 IdP metadata document, in the layout ADFS,
// Okta and Keycloak publish, with the given validUntil attribute (none
// when empty) and signing key descriptors.
func samlMetadataDoc(validUntil string, keyDescriptors ...string) string {
	attr := ""
	if validUntil != "" {
		attr = fmt.Sprintf(` validUntil="%s"`, validUntil)
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml"` + attr + `>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
` + strings.Join(keyDescriptors, "\n") + `
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`
}

// samlKeyDescriptor is a KeyDescriptor carrying the certificate's DER in
// base64, wrapped at 64 columns as IdPs write it.
func samlKeyDescriptor(use string, der []byte) string {
	b64 := base64.StdEncoding.EncodeToString(der)
	var lines []string
	for len(b64) > 64 {
		lines = append(lines, b64[:64])
		b64 = b64[64:]
	}
	lines = append(lines, b64)
	u := ""
	if use != "" {
		u = fmt.Sprintf(` use="%s"`, use)
	}
	return `    <md:KeyDescriptor` + u + `>
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>
` + strings.Join(lines, "\n") + `
          </ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>`
}

func TestParseSAMLMetadata(t *testing.T) {
	t.Parallel()
	cert := newTestCert(t, "rsa", "idp", nil, testNow.AddDate(-1, 0, 0), testNow.AddDate(5, 0, 0), false)
	signing := samlKeyDescriptor("signing", cert.Cert.Raw)
	cases := []struct {
		name, doc  string
		ok         bool
		certs      int
		validUntil string
	}{
		{name: "signing certificate", doc: samlMetadataDoc("", signing), ok: true, certs: 1},
		{name: "key without use", doc: samlMetadataDoc("", samlKeyDescriptor("", cert.Cert.Raw)), ok: true, certs: 1},
		{name: "two signing keys and an encryption key", doc: samlMetadataDoc("", signing, signing, samlKeyDescriptor("encryption", cert.Cert.Raw)), ok: true, certs: 2},
		{name: "validUntil", doc: samlMetadataDoc("2030-01-02T03:04:05Z", signing), ok: true, certs: 1, validUntil: "2030-01-02T03:04:05Z"},
		{name: "not XML", doc: "this is not xml", ok: false},
		{name: "truncated", doc: samlMetadataDoc("", signing)[:300], ok: false},
		{name: "trailing element", doc: samlMetadataDoc("", signing) + "<x/>", ok: false},
		{name: "encryption key only", doc: samlMetadataDoc("", samlKeyDescriptor("encryption", cert.Cert.Raw)), ok: false},
		{name: "no keys", doc: samlMetadataDoc(""), ok: false},
		{name: "certificate not X.509", doc: samlMetadataDoc("", samlKeyDescriptor("signing", []byte("not a certificate"))), ok: false},
		{name: "certificate not base64", doc: strings.Replace(samlMetadataDoc("", signing), "<ds:X509Certificate>", "<ds:X509Certificate>!!!", 1), ok: false},
		{name: "bad validUntil", doc: samlMetadataDoc("tomorrow", signing), ok: false},
		{name: "wrong namespace", doc: strings.ReplaceAll(samlMetadataDoc("", signing), "urn:oasis:names:tc:SAML:2.0:metadata", "urn:example"), ok: false},
		{name: "service provider metadata", doc: strings.ReplaceAll(samlMetadataDoc("", signing), "IDPSSODescriptor", "SPSSODescriptor"), ok: false},
		{name: "no entityID", doc: strings.Replace(samlMetadataDoc("", signing), `entityID="https://idp.example.com/saml"`, "", 1), ok: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			md, err := parseSAMLMetadata(tc.doc)
			if !tc.ok {
				wantWireError(t, err, "InvalidInput", "Could not parse metadata")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(md.SigningCerts) != tc.certs || md.EntityID != "https://idp.example.com/saml" {
				t.Errorf("got %d signing certificates, entity %q", len(md.SigningCerts), md.EntityID)
			}
			created := time.Date(2017, 3, 6, 22, 29, 46, 0, time.UTC)
			want := created.AddDate(100, 0, 0)
			if tc.validUntil != "" {
				want, _ = time.Parse(time.RFC3339, tc.validUntil)
			}
			if got := samlValidUntil(md.ValidUntil, created); !got.Equal(want) {
				t.Errorf("ValidUntil %v, want %v", got, want)
			}
		})
	}
}

func TestParseSAMLPrivateKey(t *testing.T) {
	t.Parallel()
	c := newTestCert(t, "ecdsa", "enc", nil, testNow, testNow.AddDate(1, 0, 0), false)
	if err := parseSAMLPrivateKey(c.KeyPEM); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"garbage", c.CertPEM, c.KeyPEM + c.KeyPEM} {
		wantWireError(t, parseSAMLPrivateKey(bad), "InvalidInput", "private key")
	}
}

func BenchmarkParseSAMLMetadata(b *testing.B) {
	cert := newTestCert(b, "rsa", "idp", nil, testNow, testNow.AddDate(1, 0, 0), false)
	doc := samlMetadataDoc("", samlKeyDescriptor("signing", cert.Cert.Raw))
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := parseSAMLMetadata(doc); err != nil {
			b.Fatal(err)
		}
	}
}
