package iam

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// AWS's rules on SAML providers (API reference of CreateSAMLProvider and
// UpdateSAMLProvider; the model caps PrivateKeyList at two).
const (
	maxSAMLPrivateKeys = 2
	// samlDefaultValidity is how long a provider is valid when its
	// metadata names no expiry: AWS shows ValidUntil one hundred years
	// after CreateDate (the AWS CLI's get-saml-provider example:
	// 2017-03-06T22:29:46 → 2117-03-06T22:29:46.433).
	samlDefaultValidity = 100
	// samlAssertionEncryptionAllowed is the AssertionEncryptionMode of a
	// provider created without one (localstack's recorded AWS response).
	samlAssertionEncryptionAllowed  = "Allowed"
	samlAssertionEncryptionRequired = "Required"
)

// The XML namespaces of SAML 2.0 metadata and of XML signatures.
const (
	samlMetadataNS = "urn:oasis:names:tc:SAML:2.0:metadata"
	xmlDSigNS      = "http://www.w3.org/2000/09/xmldsig#"
)

// samlEntityDescriptor is the part of a SAML 2.0 metadata document IAM
// reads: the identity provider's entity id, the document's expiry and the
// certificates it signs assertions with.
type samlEntityDescriptor struct {
	XMLName    xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	EntityID   string   `xml:"entityID,attr"`
	ValidUntil string   `xml:"validUntil,attr"`
	IDP        []struct {
		Keys []struct {
			Use   string   `xml:"use,attr"`
			Certs []string `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo>X509Data>X509Certificate"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

// samlMetadata is what IAM keeps from a valid metadata document.
type samlMetadata struct {
	EntityID     string
	ValidUntil   time.Time // zero when the document names none
	SigningCerts []*x509.Certificate
}

// errSAMLMetadata is AWS's answer to a metadata document it cannot use.
func errSAMLMetadata() error {
	return wireError("InvalidInput", "Could not parse metadata")
}

// parseSAMLMetadata validates a SAML 2.0 metadata document as IAM does
// before it stores a provider: well-formed XML whose root is an
// md:EntityDescriptor with an entityID, describing an identity provider
// (md:IDPSSODescriptor) that has at least one signing certificate (a
// md:KeyDescriptor whose use is "signing" or unspecified, carrying a
// ds:X509Certificate), every one of which must parse as X.509. Without a
// signing certificate IAM could not verify the provider's assertions.
func parseSAMLMetadata(doc string) (samlMetadata, error) {
	var ed samlEntityDescriptor
	dec := xml.NewDecoder(strings.NewReader(doc))
	if err := dec.Decode(&ed); err != nil {
		return samlMetadata{}, errSAMLMetadata()
	}
	// Nothing but whitespace, comments and processing instructions may
	// follow the root element.
	for {
		tok, err := dec.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return samlMetadata{}, errSAMLMetadata()
			}
			break
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return samlMetadata{}, errSAMLMetadata()
			}
		case xml.Comment, xml.ProcInst:
		default:
			return samlMetadata{}, errSAMLMetadata()
		}
	}
	md := samlMetadata{EntityID: strings.TrimSpace(ed.EntityID)}
	if md.EntityID == "" || len(ed.IDP) == 0 {
		return samlMetadata{}, errSAMLMetadata()
	}
	if v := strings.TrimSpace(ed.ValidUntil); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return samlMetadata{}, errSAMLMetadata()
		}
		md.ValidUntil = t.UTC()
	}
	for _, idp := range ed.IDP {
		for _, k := range idp.Keys {
			if k.Use != "" && k.Use != "signing" {
				continue
			}
			for _, c := range k.Certs {
				der, err := base64.StdEncoding.DecodeString(stripSpace(c))
				if err != nil {
					return samlMetadata{}, errSAMLMetadata()
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					return samlMetadata{}, errSAMLMetadata()
				}
				md.SigningCerts = append(md.SigningCerts, cert)
			}
		}
	}
	if len(md.SigningCerts) == 0 {
		return samlMetadata{}, errSAMLMetadata()
	}
	return md, nil
}

// stripSpace removes the whitespace base64 text in XML is wrapped with.
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
}

// samlValidUntil is the provider's ValidUntil: the metadata's validUntil
// when it names one, else one hundred years after creation.
func samlValidUntil(md samlMetadata, created time.Time) time.Time {
	if !md.ValidUntil.IsZero() {
		return md.ValidUntil
	}
	return created.AddDate(samlDefaultValidity, 0, 0)
}

// parseSAMLPrivateKey checks a private key given to decrypt a provider's
// encrypted assertions: one PEM block holding a PKCS#1, PKCS#8 or SEC 1
// private key, unencrypted.
func parseSAMLPrivateKey(s string) error {
	invalid := wireError("InvalidInput", "The private key is not a valid PEM-encoded private key.")
	block, rest := pem.Decode([]byte(s))
	if block == nil || len(bytes.TrimSpace(rest)) != 0 {
		return invalid
	}
	if _, err := parsePrivateKey(block); err != nil {
		return invalid
	}
	return nil
}

// samlProviderARN builds the ARN of a SAML provider.
func samlProviderARN(partition, account, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:saml-provider/%s", partition, account, name)
}
