// Package saml verifies SAML 2.0 authentication responses the way
// AssumeRoleWithSAML needs them: the base64 samlp:Response is parsed, its XML
// signature (on the response, on its assertion, or both) is verified with
// goxmldsig against the signing certificates of the provider's metadata, and
// the assertion's contents are read only from the element the signature
// verification returns, never from the document as received. A response
// must carry exactly one assertion, anywhere in the document, which defeats
// signature wrapping (a signed assertion moved aside and a forged one put
// in its place or next to it). Document type declarations are refused.
//
// What the assertion's conditions mean for AWS (recipient, audience, times,
// role attributes) is left to the caller.
package saml

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// The XML namespaces of SAML 2.0 and XML signatures.
const (
	NSProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	NSAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	NSMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	NSDSig      = "http://www.w3.org/2000/09/xmldsig#"
	// StatusSuccess is the StatusCode of a successful response.
	StatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success"
	// MethodBearer is the bearer subject confirmation method.
	MethodBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
)

// The failures of Verify.
var (
	ErrMalformed = errors.New("saml: malformed response")
	ErrStatus    = errors.New("saml: the identity provider reported a failure")
	ErrEncrypted = errors.New("saml: encrypted assertions are not supported")
	ErrCount     = errors.New("saml: a response must carry exactly one assertion")
	ErrUnsigned  = errors.New("saml: neither the response nor its assertion is signed")
	ErrSignature = errors.New("saml: signature does not verify against the provider's certificates")
)

// Assertion is a verified SAML assertion.
type Assertion struct {
	ID           string
	Issuer       string
	IssueInstant time.Time
	Subject      NameID
	// Confirmations are the subject confirmations (normally one bearer
	// confirmation with the Recipient and NotOnOrAfter AWS requires).
	Confirmations []Confirmation
	// NotBefore and NotOnOrAfter are the Conditions' bounds; zero when
	// absent.
	NotBefore    time.Time
	NotOnOrAfter time.Time
	// AudienceRestrictions lists each AudienceRestriction's audiences; the
	// assertion is meant for a relying party named in every one of them.
	AudienceRestrictions [][]string
	// AuthnInstant and SessionNotOnOrAfter come from the first
	// AuthnStatement; zero when absent.
	AuthnInstant        time.Time
	SessionNotOnOrAfter time.Time
	Attributes          []Attribute
	// ResponseSigned and AssertionSigned say which signatures covered the
	// assertion.
	ResponseSigned  bool
	AssertionSigned bool
}

// NameID is the assertion's subject.
type NameID struct {
	Value           string
	Format          string
	NameQualifier   string
	SPNameQualifier string
}

// Confirmation is a SubjectConfirmation with its data.
type Confirmation struct {
	Method       string
	Recipient    string
	NotBefore    time.Time
	NotOnOrAfter time.Time
	InResponseTo string
}

// Attribute is one attribute of an AttributeStatement.
type Attribute struct {
	Name         string
	FriendlyName string
	NameFormat   string
	Values       []string
}

// Attribute returns the first attribute with the name (compared exactly,
// as AWS compares its attribute names).
func (a *Assertion) Attribute(name string) (Attribute, bool) {
	for _, at := range a.Attributes {
		if at.Name == name {
			return at, true
		}
	}
	return Attribute{}, false
}

// Verify decodes a base64 SAMLResponse, verifies its signature against
// certs at time now (which also bounds the certificates' validity) and
// returns the verified assertion.
func Verify(encoded string, certs []*x509.Certificate, now time.Time) (*Assertion, error) {
	raw, err := base64.StdEncoding.DecodeString(stripSpace(encoded))
	if err != nil {
		return nil, fmt.Errorf("%w: not base64: %v", ErrMalformed, err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := checkTokens(&doc.Element, 0); err != nil {
		return nil, err
	}
	root := doc.Root()
	if root == nil || !is(root, NSProtocol, "Response") {
		return nil, fmt.Errorf("%w: the document is not a samlp:Response", ErrMalformed)
	}
	if err := checkStatus(root); err != nil {
		return nil, err
	}
	switch n := countAssertions(root); {
	case n < 0:
		return nil, ErrEncrypted
	case n != 1:
		return nil, fmt.Errorf("%w: found %d", ErrCount, n)
	}
	out := &Assertion{}
	var assertion *etree.Element
	if child(root, NSDSig, "Signature") != nil {
		verified, err := validate(root, certs, now)
		if err != nil {
			return nil, err
		}
		out.ResponseSigned = true
		list := children(verified, NSAssertion, "Assertion")
		if len(list) != 1 {
			return nil, fmt.Errorf("%w: the signed response holds %d", ErrCount, len(list))
		}
		assertion = list[0]
	} else {
		list := children(root, NSAssertion, "Assertion")
		if len(list) != 1 {
			return nil, fmt.Errorf("%w: %d are children of the response", ErrCount, len(list))
		}
		assertion = list[0]
		if child(assertion, NSDSig, "Signature") == nil {
			return nil, ErrUnsigned
		}
	}
	if child(assertion, NSDSig, "Signature") != nil {
		ctx, err := etreeutils.NSBuildParentContext(assertion)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		detached, err := etreeutils.NSDetatch(ctx, assertion)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		if assertion, err = validate(detached, certs, now); err != nil {
			return nil, err
		}
		out.AssertionSigned = true
	}
	if err := decodeAssertion(assertion, out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkTokens refuses document type declarations (and so entity
// definitions) anywhere, and absurd nesting.
func checkTokens(el *etree.Element, depth int) error {
	if depth > 64 {
		return fmt.Errorf("%w: nested too deeply", ErrMalformed)
	}
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.Directive:
			return fmt.Errorf("%w: document type declarations are not allowed", ErrMalformed)
		case *etree.Element:
			if err := checkTokens(t, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkStatus requires the response's top-level StatusCode to be Success.
func checkStatus(root *etree.Element) error {
	st := child(root, NSProtocol, "Status")
	if st == nil {
		return fmt.Errorf("%w: no Status", ErrMalformed)
	}
	code := child(st, NSProtocol, "StatusCode")
	if code == nil {
		return fmt.Errorf("%w: no StatusCode", ErrMalformed)
	}
	if v := code.SelectAttrValue("Value", ""); v != StatusSuccess {
		return fmt.Errorf("%w: %s", ErrStatus, v)
	}
	return nil
}

// countAssertions counts the assertions, plain or encrypted, anywhere
// under el. Encrypted ones are refused outright.
func countAssertions(el *etree.Element) int {
	n := 0
	for _, c := range el.ChildElements() {
		if is(c, NSAssertion, "Assertion") {
			n++
		}
		if is(c, NSAssertion, "EncryptedAssertion") {
			return -1
		}
		m := countAssertions(c)
		if m < 0 {
			return m
		}
		n += m
	}
	return n
}

// validate verifies the enveloped signature of el against each
// certificate in turn and returns the element as signed.
func validate(el *etree.Element, certs []*x509.Certificate, now time.Time) (*etree.Element, error) {
	if len(certs) == 0 {
		return nil, fmt.Errorf("%w: the provider has no signing certificate", ErrSignature)
	}
	var last error
	for _, c := range certs {
		ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{c}})
		ctx.Clock = dsig.NewFakeClockAt(now)
		verified, err := ctx.Validate(el)
		if err == nil {
			return verified, nil
		}
		last = err
	}
	return nil, fmt.Errorf("%w: %v", ErrSignature, last)
}

func is(el *etree.Element, space, tag string) bool {
	return el.Tag == tag && el.NamespaceURI() == space
}

func child(el *etree.Element, space, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if is(c, space, tag) {
			return c
		}
	}
	return nil
}

func children(el *etree.Element, space, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if is(c, space, tag) {
			out = append(out, c)
		}
	}
	return out
}

// xmlAssertion is the shape of a saml:Assertion that AWS reads.
type xmlAssertion struct {
	XMLName      xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
	ID           string   `xml:"ID,attr"`
	IssueInstant string   `xml:"IssueInstant,attr"`
	Issuer       string   `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
	Subject      struct {
		NameID struct {
			Value           string `xml:",chardata"`
			Format          string `xml:"Format,attr"`
			NameQualifier   string `xml:"NameQualifier,attr"`
			SPNameQualifier string `xml:"SPNameQualifier,attr"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion NameID"`
		Confirmations []struct {
			Method string `xml:"Method,attr"`
			Data   struct {
				Recipient    string `xml:"Recipient,attr"`
				NotBefore    string `xml:"NotBefore,attr"`
				NotOnOrAfter string `xml:"NotOnOrAfter,attr"`
				InResponseTo string `xml:"InResponseTo,attr"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:assertion SubjectConfirmationData"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion SubjectConfirmation"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Subject"`
	Conditions struct {
		NotBefore    string `xml:"NotBefore,attr"`
		NotOnOrAfter string `xml:"NotOnOrAfter,attr"`
		Restrictions []struct {
			Audiences []string `xml:"urn:oasis:names:tc:SAML:2.0:assertion Audience"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion AudienceRestriction"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Conditions"`
	AuthnStatements []struct {
		AuthnInstant        string `xml:"AuthnInstant,attr"`
		SessionNotOnOrAfter string `xml:"SessionNotOnOrAfter,attr"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:assertion AuthnStatement"`
	AttributeStatements []struct {
		Attributes []struct {
			Name         string   `xml:"Name,attr"`
			FriendlyName string   `xml:"FriendlyName,attr"`
			NameFormat   string   `xml:"NameFormat,attr"`
			Values       []string `xml:"urn:oasis:names:tc:SAML:2.0:assertion AttributeValue"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Attribute"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:assertion AttributeStatement"`
}

// decodeAssertion reads the verified assertion element into out.
func decodeAssertion(el *etree.Element, out *Assertion) error {
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	b, err := doc.WriteToBytes()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var x xmlAssertion
	if err := xml.Unmarshal(b, &x); err != nil {
		return fmt.Errorf("%w: assertion: %v", ErrMalformed, err)
	}
	var errs []error
	when := func(field, s string) time.Time {
		t, err := parseTime(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", field, err))
		}
		return t
	}
	out.ID = x.ID
	out.Issuer = strings.TrimSpace(x.Issuer)
	out.IssueInstant = when("IssueInstant", x.IssueInstant)
	n := x.Subject.NameID
	out.Subject = NameID{Value: strings.TrimSpace(n.Value), Format: n.Format, NameQualifier: n.NameQualifier, SPNameQualifier: n.SPNameQualifier}
	for _, c := range x.Subject.Confirmations {
		out.Confirmations = append(out.Confirmations, Confirmation{
			Method:       c.Method,
			Recipient:    c.Data.Recipient,
			NotBefore:    when("SubjectConfirmationData NotBefore", c.Data.NotBefore),
			NotOnOrAfter: when("SubjectConfirmationData NotOnOrAfter", c.Data.NotOnOrAfter),
			InResponseTo: c.Data.InResponseTo,
		})
	}
	out.NotBefore = when("Conditions NotBefore", x.Conditions.NotBefore)
	out.NotOnOrAfter = when("Conditions NotOnOrAfter", x.Conditions.NotOnOrAfter)
	for _, r := range x.Conditions.Restrictions {
		auds := make([]string, 0, len(r.Audiences))
		for _, a := range r.Audiences {
			auds = append(auds, strings.TrimSpace(a))
		}
		out.AudienceRestrictions = append(out.AudienceRestrictions, auds)
	}
	if len(x.AuthnStatements) > 0 {
		out.AuthnInstant = when("AuthnInstant", x.AuthnStatements[0].AuthnInstant)
		out.SessionNotOnOrAfter = when("SessionNotOnOrAfter", x.AuthnStatements[0].SessionNotOnOrAfter)
	}
	for _, st := range x.AttributeStatements {
		for _, a := range st.Attributes {
			vals := make([]string, 0, len(a.Values))
			for _, v := range a.Values {
				vals = append(vals, strings.TrimSpace(v))
			}
			out.Attributes = append(out.Attributes, Attribute{Name: a.Name, FriendlyName: a.FriendlyName, NameFormat: a.NameFormat, Values: vals})
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrMalformed, errors.Join(errs...))
	}
	if out.IssueInstant.IsZero() {
		return fmt.Errorf("%w: the assertion has no IssueInstant", ErrMalformed)
	}
	return nil
}

// parseTime reads an xs:dateTime as SAML uses it (UTC, optional fraction);
// "" is the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// stripSpace removes the whitespace base64 text is wrapped with.
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
}
