package saml_test

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/iamd/iamd/internal/saml"
	"github.com/iamd/iamd/internal/saml/samltest"
)

const (
	roleARN     = "arn:aws:iam::123456789012:role/Federated"
	providerARN = "arn:aws:iam::123456789012:saml-provider/Corp"
)

func spec() samltest.Spec {
	return samltest.Spec{
		NameID: "alice@example.com",
		Attributes: []samltest.Attr{
			samltest.RoleAttr(roleARN + "," + providerARN),
			{Name: samltest.AttrRoleSessionName, Values: []string{"alice"}},
			{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.1", Values: []string{"staff", "member"}},
		},
	}
}

// setText replaces the text of the first element at path under el.
func setText(t *testing.T, el *etree.Element, path, text string) {
	t.Helper()
	target := el.FindElement(path)
	if target == nil {
		t.Fatalf("no %s", path)
	}
	target.SetText(text)
}

func TestVerify(t *testing.T) {
	t.Parallel()
	idp := samltest.NewIdP(t, "https://idp.example.com/saml")
	impostor := samltest.NewIdP(t, "https://idp.example.com/saml")
	rolled := samltest.NewIdP(t, "https://idp.example.com/saml")
	certs := []*x509.Certificate{idp.Cert}

	tamperedAssertion := func() string {
		signed := idp.Sign(t, idp.Assertion(spec()))
		setText(t, signed, "./saml:Subject/saml:NameID", "admin@example.com")
		return samltest.Encode(t, idp.Response("", signed))
	}
	tamperedResponse := func() string {
		signed := idp.Sign(t, idp.Response("", idp.Assertion(spec())))
		setText(t, signed, "./saml:Assertion/saml:AttributeStatement/saml:Attribute/saml:AttributeValue",
			"arn:aws:iam::123456789012:role/Admin,"+providerARN)
		return samltest.Encode(t, signed)
	}
	injected := func(before bool) string {
		signed := idp.Sign(t, idp.Assertion(spec()))
		forged := spec()
		forged.NameID = "admin@example.com"
		forgedEl := idp.Assertion(forged)
		if before {
			return samltest.Encode(t, idp.Response("", forgedEl, signed))
		}
		return samltest.Encode(t, idp.Response("", signed, forgedEl))
	}
	movedAside := func() string {
		s := spec()
		s.ID = "_original"
		signed := idp.Sign(t, idp.Assertion(s))
		forgedSpec := spec()
		forgedSpec.ID = "_original"
		forgedSpec.NameID = "admin@example.com"
		resp := idp.Response("", idp.Assertion(forgedSpec))
		ext := etree.NewElement("samlp:Extensions")
		ext.AddChild(signed)
		resp.InsertChildAt(1, ext)
		return samltest.Encode(t, resp)
	}
	embedded := func() string {
		s := spec()
		s.ID = "_original"
		signed := idp.Sign(t, idp.Assertion(s))
		forgedSpec := spec()
		forgedSpec.ID = "_original"
		forgedSpec.NameID = "admin@example.com"
		forged := idp.Assertion(forgedSpec)
		// The signed assertion rides inside the forged one, its signature
		// still referencing the shared ID.
		forged.InsertChildAt(1, signed)
		return samltest.Encode(t, idp.Response("", forged))
	}
	copiedSignature := func() string {
		s := spec()
		s.ID = "_original"
		signed := idp.Sign(t, idp.Assertion(s))
		forgedSpec := spec()
		forgedSpec.ID = "_original"
		forgedSpec.NameID = "admin@example.com"
		forged := idp.Assertion(forgedSpec)
		// The genuine signature, copied onto the forged assertion that
		// shares its ID.
		var sig *etree.Element
		for _, c := range signed.ChildElements() {
			if c.Tag == "Signature" {
				sig = c.Copy()
			}
		}
		forged.InsertChildAt(1, sig)
		return samltest.Encode(t, idp.Response("", forged))
	}
	signedResponseNoAssertion := samltest.Encode(t, idp.Sign(t, idp.Response("")))
	encrypted := func() string {
		resp := idp.Response("")
		resp.CreateElement("saml:EncryptedAssertion").CreateElement("xenc:EncryptedData")
		return samltest.Encode(t, resp)
	}
	doctype := base64.StdEncoding.EncodeToString([]byte(`<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x "admin@example.com">]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:Response>`))
	notResponse := base64.StdEncoding.EncodeToString([]byte(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a"/>`))

	tests := []struct {
		name     string
		response string
		certs    []*x509.Certificate
		now      time.Time
		want     error // nil: accepted
		response_signed,
		assertion_signed bool
	}{
		{name: "signed assertion", response: idp.SignedAssertion(t, spec()), assertion_signed: true},
		{name: "signed response", response: samltest.Encode(t, idp.Sign(t, idp.Response("", idp.Assertion(spec())))), response_signed: true},
		{name: "signed response and assertion", response: samltest.Encode(t, idp.Sign(t, idp.Response("", idp.Sign(t, idp.Assertion(spec()))))),
			response_signed: true, assertion_signed: true},
		{name: "base64 wrapped in lines", response: wrapLines(idp.SignedAssertion(t, spec())), assertion_signed: true},
		{name: "signed by the rollover certificate", response: rolled.SignedAssertion(t, spec()),
			certs: []*x509.Certificate{idp.Cert, rolled.Cert}, assertion_signed: true},
		{name: "unsigned", response: samltest.Encode(t, idp.Response("", idp.Assertion(spec()))), want: saml.ErrUnsigned},
		{name: "signed by a key not in the metadata", response: impostor.SignedAssertion(t, spec()), want: saml.ErrSignature},
		{name: "signing certificate expired", response: idp.SignedAssertion(t, spec()), now: time.Now().Add(48 * time.Hour), want: saml.ErrSignature},
		{name: "provider without certificates", response: idp.SignedAssertion(t, spec()), certs: []*x509.Certificate{}, want: saml.ErrSignature},
		{name: "assertion altered after signing", response: tamperedAssertion(), want: saml.ErrSignature},
		{name: "response altered after signing", response: tamperedResponse(), want: saml.ErrSignature},
		{name: "signed assertion plus an injected one after it", response: injected(false), want: saml.ErrCount},
		{name: "signed assertion plus an injected one before it", response: injected(true), want: saml.ErrCount},
		{name: "signed assertion moved aside, forged one in its place", response: movedAside(), want: saml.ErrCount},
		{name: "signed assertion embedded in a forged one", response: embedded(), want: saml.ErrCount},
		{name: "forged assertion carrying a copy of the genuine signature", response: copiedSignature(), want: saml.ErrSignature},
		{name: "signed response without assertion", response: signedResponseNoAssertion, want: saml.ErrCount},
		{name: "encrypted assertion", response: encrypted(), want: saml.ErrEncrypted},
		{name: "failure status", response: samltest.Encode(t, idp.Response("urn:oasis:names:tc:SAML:2.0:status:Requester", idp.Sign(t, idp.Assertion(spec())))),
			want: saml.ErrStatus},
		{name: "document type declaration", response: doctype, want: saml.ErrMalformed},
		{name: "not base64", response: "<samlp:Response/>", want: saml.ErrMalformed},
		{name: "not XML", response: base64.StdEncoding.EncodeToString([]byte("hello")), want: saml.ErrMalformed},
		{name: "not a response", response: notResponse, want: saml.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := certs
			if tc.certs != nil {
				c = tc.certs
			}
			now := tc.now
			if now.IsZero() {
				now = time.Now()
			}
			a, err := saml.Verify(tc.response, c, now)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("Verify = %+v, %v; want %v", a, err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if a.ResponseSigned != tc.response_signed || a.AssertionSigned != tc.assertion_signed {
				t.Errorf("signed response %v assertion %v", a.ResponseSigned, a.AssertionSigned)
			}
			if a.Subject.Value != "alice@example.com" || a.Issuer != idp.EntityID {
				t.Errorf("subject %q issuer %q", a.Subject.Value, a.Issuer)
			}
			role, ok := a.Attribute(samltest.AttrRole)
			if !ok || len(role.Values) != 1 || role.Values[0] != roleARN+","+providerARN {
				t.Errorf("role attribute = %+v", role)
			}
		})
	}
}

func wrapLines(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

func TestVerifyReadsTheAssertion(t *testing.T) {
	t.Parallel()
	idp := samltest.NewIdP(t, "urn:example:idp")
	issued := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	s := spec()
	s.IssueInstant = issued
	s.NameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
	s.Audiences = []string{"urn:amazon:webservices", samltest.AWSSignIn}
	s.SessionNotOnOrAfter = issued.Add(time.Hour)
	a, err := saml.Verify(idp.SignedAssertion(t, s), []*x509.Certificate{idp.Cert}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !a.IssueInstant.Equal(issued) {
		t.Errorf("IssueInstant %v, want %v", a.IssueInstant, issued)
	}
	if a.Subject.Format != s.NameIDFormat {
		t.Errorf("format %q", a.Subject.Format)
	}
	if len(a.Confirmations) != 1 || a.Confirmations[0].Recipient != samltest.AWSSignIn ||
		a.Confirmations[0].Method != saml.MethodBearer || !a.Confirmations[0].NotOnOrAfter.Equal(issued.Add(5*time.Minute)) {
		t.Errorf("confirmations %+v", a.Confirmations)
	}
	if len(a.AudienceRestrictions) != 1 || len(a.AudienceRestrictions[0]) != 2 {
		t.Errorf("audiences %v", a.AudienceRestrictions)
	}
	if !a.NotBefore.Equal(issued.Add(-time.Minute)) || !a.NotOnOrAfter.Equal(issued.Add(5*time.Minute)) {
		t.Errorf("conditions %v .. %v", a.NotBefore, a.NotOnOrAfter)
	}
	if !a.SessionNotOnOrAfter.Equal(issued.Add(time.Hour)) {
		t.Errorf("SessionNotOnOrAfter %v", a.SessionNotOnOrAfter)
	}
	aff, ok := a.Attribute("urn:oid:1.3.6.1.4.1.5923.1.1.1.1")
	if !ok || strings.Join(aff.Values, ",") != "staff,member" {
		t.Errorf("affiliation %+v", aff)
	}
}

func TestParseMetadata(t *testing.T) {
	t.Parallel()
	idp := samltest.NewIdP(t, "https://idp.example.com/saml")
	other := samltest.NewIdP(t, "https://idp.example.com/saml")
	encryptionOnly := strings.ReplaceAll(idp.Metadata(), `use="signing"`, `use="encryption"`)
	tests := []struct {
		name  string
		doc   string
		certs int
		until bool
		fail  bool
	}{
		{name: "one signing certificate", doc: idp.Metadata(), certs: 1},
		{name: "rollover: two certificates", doc: idp.Metadata(other.Cert), certs: 2},
		{name: "use unspecified", doc: strings.ReplaceAll(idp.Metadata(), ` use="signing"`, ""), certs: 1},
		{name: "validUntil", doc: strings.Replace(idp.Metadata(), `entityID=`, `validUntil="2030-01-02T03:04:05Z" entityID=`, 1), certs: 1, until: true},
		{name: "encryption key only", doc: encryptionOnly, fail: true},
		{name: "no entityID", doc: strings.Replace(idp.Metadata(), `entityID="https://idp.example.com/saml"`, "", 1), fail: true},
		{name: "bad validUntil", doc: strings.Replace(idp.Metadata(), `entityID=`, `validUntil="soon" entityID=`, 1), fail: true},
		{name: "not XML", doc: "metadata", fail: true},
		{name: "certificate not base64", doc: strings.Replace(idp.Metadata(), "<ds:X509Certificate>", "<ds:X509Certificate>!!", 1), fail: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			md, err := saml.ParseMetadata(tc.doc)
			if tc.fail {
				if !errors.Is(err, saml.ErrMetadata) {
					t.Fatalf("ParseMetadata = %+v, %v; want ErrMetadata", md, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if md.EntityID != idp.EntityID || len(md.SigningCerts) != tc.certs || md.ValidUntil.IsZero() == tc.until {
				t.Errorf("metadata = %+v", md)
			}
		})
	}
}

// BenchmarkVerify measures verifying a signed response (one signed
// assertion, RSA-SHA256), the cost of an AssumeRoleWithSAML call's
// cryptography.
func BenchmarkVerify(b *testing.B) {
	idp := samltest.NewIdP(b, "https://idp.example.com/saml")
	resp := idp.SignedAssertion(b, spec())
	certs := []*x509.Certificate{idp.Cert}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := saml.Verify(resp, certs, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzVerify feeds arbitrary responses to Verify: it must never panic, and
// never accept what the test IdP did not sign.
func FuzzVerify(f *testing.F) {
	idp := samltest.NewIdP(f, "https://idp.example.com/saml")
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`))
	raw, err := base64.StdEncoding.DecodeString(idp.SignedAssertion(f, spec()))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	certs := []*x509.Certificate{idp.Cert}
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := saml.Verify(base64.StdEncoding.EncodeToString(doc), certs, time.Now())
		if err == nil && a.Subject.Value != "alice@example.com" {
			t.Fatalf("accepted a response with subject %q", a.Subject.Value)
		}
	})
}
