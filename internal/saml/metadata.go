package saml

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrMetadata reports a metadata document that cannot be used.
var ErrMetadata = errors.New("saml: unusable metadata")

// Metadata is what verification needs from an identity provider's SAML
// metadata document.
type Metadata struct {
	// EntityID is the identity provider's entity id, the Issuer of its
	// assertions.
	EntityID string
	// ValidUntil is the document's expiry; zero when it names none.
	ValidUntil time.Time
	// SigningCerts are the certificates of the IDPSSODescriptor's key
	// descriptors whose use is "signing" or unspecified.
	SigningCerts []*x509.Certificate
}

// entityDescriptor is the part of a metadata document verification reads.
type entityDescriptor struct {
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

// ParseMetadata reads an identity provider's entity id, expiry and signing
// certificates from its metadata, as IAM stored it for a SAML provider.
func ParseMetadata(doc string) (*Metadata, error) {
	var ed entityDescriptor
	if err := xml.Unmarshal([]byte(doc), &ed); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMetadata, err)
	}
	md := &Metadata{EntityID: strings.TrimSpace(ed.EntityID)}
	if md.EntityID == "" {
		return nil, fmt.Errorf("%w: no entityID", ErrMetadata)
	}
	if v := strings.TrimSpace(ed.ValidUntil); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, fmt.Errorf("%w: validUntil: %v", ErrMetadata, err)
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
					return nil, fmt.Errorf("%w: certificate: %v", ErrMetadata, err)
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					return nil, fmt.Errorf("%w: certificate: %v", ErrMetadata, err)
				}
				md.SigningCerts = append(md.SigningCerts, cert)
			}
		}
	}
	if len(md.SigningCerts) == 0 {
		return nil, fmt.Errorf("%w: no signing certificate", ErrMetadata)
	}
	return md, nil
}
