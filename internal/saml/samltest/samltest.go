// Package samltest is a test SAML 2.0 identity provider: a signing key and
// certificate, its metadata document, and builders for assertions and
// responses, signed or not, so that tests can make both the responses an
// identity provider sends and the forgeries verification must refuse. It
// is for tests only.
package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// AWSSignIn is AWS's SAML sign-in endpoint, the Recipient and Audience of
// assertions for AWS.
const AWSSignIn = "https://signin.aws.amazon.com/saml"

// AWS's attribute names.
const (
	AttrRole            = "https://aws.amazon.com/SAML/Attributes/Role"
	AttrRoleSessionName = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	AttrSessionDuration = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	AttrSourceIdentity  = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	AttrPrincipalTag    = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	AttrTransitiveTags  = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
)

const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	timeLayout  = "2006-01-02T15:04:05.000Z"
)

// IdP is a test identity provider.
type IdP struct {
	EntityID string
	Key      *rsa.PrivateKey
	Cert     *x509.Certificate
}

// NewIdP makes an identity provider with a fresh RSA key and a self-signed
// certificate valid for a day around now.
func NewIdP(t testing.TB, entityID string) *IdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: n,
		Subject:      pkix.Name{CommonName: entityID},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &IdP{EntityID: entityID, Key: key, Cert: cert}
}

// Metadata is the provider's SAML metadata, as CreateSAMLProvider takes
// it. Extra certificates are listed as further signing keys (rollover).
func (idp *IdP) Metadata(extra ...*x509.Certificate) string {
	var keys strings.Builder
	for _, c := range append([]*x509.Certificate{idp.Cert}, extra...) {
		fmt.Fprintf(&keys, `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
			base64.StdEncoding.EncodeToString(c.Raw))
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s">
<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">%s
<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
</md:IDPSSODescriptor>
</md:EntityDescriptor>`, idp.EntityID, keys.String())
}

// Attr is an attribute with its values.
type Attr struct {
	Name   string
	Values []string
}

// Spec describes an assertion. Zero fields take the values of an ordinary
// assertion for AWS issued now.
type Spec struct {
	ID           string
	Issuer       string    // default: the IdP's entity id
	IssueInstant time.Time // default: now
	NameID       string    // default: "alice@example.com"
	NameIDFormat string    // default: persistent
	// Recipient and ConfirmationNotOnOrAfter are the bearer confirmation's
	// data; defaults AWSSignIn and IssueInstant + 5 minutes.
	Recipient                string
	ConfirmationNotOnOrAfter time.Time
	// NotBefore and NotOnOrAfter bound the Conditions; defaults
	// IssueInstant - 1 minute and + 5 minutes.
	NotBefore    time.Time
	NotOnOrAfter time.Time
	// Audiences of the AudienceRestriction; default [AWSSignIn].
	// NoAudience leaves the restriction out.
	Audiences           []string
	NoAudience          bool
	SessionNotOnOrAfter time.Time
	Attributes          []Attr
}

// RoleAttr is the Role attribute for role and provider ARNs.
func RoleAttr(pairs ...string) Attr { return Attr{Name: AttrRole, Values: pairs} }

// Assertion builds an unsigned saml:Assertion.
func (idp *IdP) Assertion(s Spec) *etree.Element {
	if s.IssueInstant.IsZero() {
		s.IssueInstant = time.Now()
	}
	if s.ID == "" {
		s.ID = newID()
	}
	if s.Issuer == "" {
		s.Issuer = idp.EntityID
	}
	if s.NameID == "" {
		s.NameID = "alice@example.com"
	}
	if s.NameIDFormat == "" {
		s.NameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	}
	if s.Recipient == "" {
		s.Recipient = AWSSignIn
	}
	if s.ConfirmationNotOnOrAfter.IsZero() {
		s.ConfirmationNotOnOrAfter = s.IssueInstant.Add(5 * time.Minute)
	}
	if s.NotBefore.IsZero() {
		s.NotBefore = s.IssueInstant.Add(-time.Minute)
	}
	if s.NotOnOrAfter.IsZero() {
		s.NotOnOrAfter = s.IssueInstant.Add(5 * time.Minute)
	}
	if s.Audiences == nil {
		s.Audiences = []string{AWSSignIn}
	}
	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", nsAssertion)
	a.CreateAttr("ID", s.ID)
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", s.IssueInstant.UTC().Format(timeLayout))
	a.CreateElement("saml:Issuer").SetText(s.Issuer)
	subj := a.CreateElement("saml:Subject")
	nid := subj.CreateElement("saml:NameID")
	nid.CreateAttr("Format", s.NameIDFormat)
	nid.SetText(s.NameID)
	sc := subj.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", s.ConfirmationNotOnOrAfter.UTC().Format(timeLayout))
	scd.CreateAttr("Recipient", s.Recipient)
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", s.NotBefore.UTC().Format(timeLayout))
	cond.CreateAttr("NotOnOrAfter", s.NotOnOrAfter.UTC().Format(timeLayout))
	if !s.NoAudience {
		ar := cond.CreateElement("saml:AudienceRestriction")
		for _, aud := range s.Audiences {
			ar.CreateElement("saml:Audience").SetText(aud)
		}
	}
	as := a.CreateElement("saml:AuthnStatement")
	as.CreateAttr("AuthnInstant", s.IssueInstant.UTC().Format(timeLayout))
	if !s.SessionNotOnOrAfter.IsZero() {
		as.CreateAttr("SessionNotOnOrAfter", s.SessionNotOnOrAfter.UTC().Format(timeLayout))
	}
	as.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").
		SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	if len(s.Attributes) > 0 {
		st := a.CreateElement("saml:AttributeStatement")
		for _, at := range s.Attributes {
			el := st.CreateElement("saml:Attribute")
			el.CreateAttr("Name", at.Name)
			for _, v := range at.Values {
				el.CreateElement("saml:AttributeValue").SetText(v)
			}
		}
	}
	return a
}

// Sign returns el with an enveloped signature by the IdP's key (RSA-SHA256,
// exclusive canonicalization), placed after the Issuer as the SAML schema
// wants it.
func (idp *IdP) Sign(t testing.TB, el *etree.Element) *etree.Element {
	t.Helper()
	return SignWith(t, idp.Key, idp.Cert, el)
}

// SignWith signs el with any key and certificate.
func SignWith(t testing.TB, key *rsa.PrivateKey, cert *x509.Certificate, el *etree.Element) *etree.Element {
	t.Helper()
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		t.Fatal(err)
	}
	// SignEnveloped appends the signature without adopting it; move a copy
	// of it behind the Issuer.
	last := len(signed.Child) - 1
	sig, ok := signed.Child[last].(*etree.Element)
	if !ok {
		t.Fatal("signing appended no element")
	}
	signed.Child = signed.Child[:last]
	signed.InsertChildAt(1, sig.Copy())
	return signed
}

// Response wraps assertions in a samlp:Response with the status (""
// means Success).
func (idp *IdP) Response(status string, assertions ...*etree.Element) *etree.Element {
	if status == "" {
		status = "urn:oasis:names:tc:SAML:2.0:status:Success"
	}
	r := etree.NewElement("samlp:Response")
	r.CreateAttr("xmlns:samlp", nsProtocol)
	r.CreateAttr("xmlns:saml", nsAssertion)
	r.CreateAttr("ID", newID())
	r.CreateAttr("Version", "2.0")
	r.CreateAttr("IssueInstant", time.Now().UTC().Format(timeLayout))
	r.CreateAttr("Destination", AWSSignIn)
	r.CreateElement("saml:Issuer").SetText(idp.EntityID)
	r.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", status)
	for _, a := range assertions {
		r.AddChild(a)
	}
	return r
}

// Encode serializes el as a document and base64-encodes it, as the
// SAMLResponse form field carries it.
func Encode(t testing.TB, el *etree.Element) string {
	t.Helper()
	doc := etree.NewDocument()
	doc.SetRoot(el)
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// SignedAssertion is the common case: a response (unsigned) carrying one
// signed assertion, base64-encoded.
func (idp *IdP) SignedAssertion(t testing.TB, s Spec) string {
	t.Helper()
	return Encode(t, idp.Response("", idp.Sign(t, idp.Assertion(s))))
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("_%x", b)
}
