package iam

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
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
func samlValidUntil(validUntil, created time.Time) time.Time {
	if !validUntil.IsZero() {
		return validUntil
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

var _ = family((*Service).samlOperations)

// AWS's messages for SAML providers: "Manifest not found for arn ..." is
// localstack's recorded AWS response to GetSAMLProvider and
// DeleteSAMLProvider; the duplicate's wording follows "Provider with name
// ... already exists." (org-formation/aws-resource-providers#59).
var _ = entity(store.KindSAMLProvider, "Manifest not found for arn %s", "Provider with name %s already exists.")

// maxSAMLProviders is AWS's quota of SAML providers per account (IAM User
// Guide, "IAM and AWS STS quotas").
const maxSAMLProviders = 100

// samlProviderUUIDLength is the length of a provider's SAMLProviderUUID and
// of its private keys' ids: upper-case letters and digits (the model
// allows 22 to 64).
const samlProviderUUIDLength = 26

func (s *Service) samlOperations(t service.Table) {
	t["CreateSAMLProvider"] = service.Op(s.createSAMLProvider)
	t["GetSAMLProvider"] = service.Op(s.getSAMLProvider)
	t["UpdateSAMLProvider"] = service.Op(s.updateSAMLProvider)
	t["DeleteSAMLProvider"] = service.Op(s.deleteSAMLProvider)
	t["ListSAMLProviders"] = service.Op(s.listSAMLProviders)
	t["TagSAMLProvider"] = service.Op(s.tagSAMLProvider)
	t["UntagSAMLProvider"] = service.Op(s.untagSAMLProvider)
	t["ListSAMLProviderTags"] = service.Op(s.listSAMLProviderTags)
}

// samlARN checks the form of a SAML provider ARN given to an operation.
// The store looks providers up within the caller's account, so another
// account's ARN names nothing.
func samlARN(s string) (string, error) {
	if _, err := parseProviderARN(s, "saml-provider"); err != nil {
		return "", err
	}
	return s, nil
}

// samlRef is the tag reference of a SAML provider.
func samlRef(c *service.Call, arn string) store.ResourceRef {
	return store.ResourceRef{Account: c.AccountID, Kind: store.KindSAMLProvider, ID: arn}
}

// sealSAMLKey checks a private key for decrypting assertions and seals it
// for the store, bound to its new key id.
func (s *Service) sealSAMLKey(pemKey string, now time.Time) (store.SAMLPrivateKey, error) {
	if err := parseSAMLPrivateKey(pemKey); err != nil {
		return store.SAMLPrivateKey{}, err
	}
	k := store.SAMLPrivateKey{KeyID: randomUpperID(samlProviderUUIDLength), Timestamp: now}
	var err error
	k.Key, err = s.keyring.Seal([]byte(pemKey), []byte(k.KeyID))
	return k, err
}

// checkSAMLEncryption refuses a provider that requires encrypted
// assertions without a private key to decrypt them with.
func checkSAMLEncryption(mode string, keys []store.SAMLPrivateKey) error {
	if mode == samlAssertionEncryptionRequired && len(keys) == 0 {
		return wireError("InvalidInput", "AssertionEncryptionMode Required needs a private key to decrypt assertions with.")
	}
	return nil
}

func (s *Service) createSAMLProvider(ctx context.Context, c *service.Call, in *iamapi.CreateSAMLProviderRequest) (*iamapi.CreateSAMLProviderResponse, error) {
	md, err := parseSAMLMetadata(in.SAMLMetadataDocument)
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	p := store.SAMLProvider{
		Account:                 c.AccountID,
		ARN:                     samlProviderARN(c.Partition, c.AccountID, in.Name),
		Name:                    in.Name,
		UUID:                    randomUpperID(samlProviderUUIDLength),
		Metadata:                in.SAMLMetadataDocument,
		ValidUntil:              md.ValidUntil,
		Created:                 c.Now,
		AssertionEncryptionMode: str(in.AssertionEncryptionMode),
	}
	if in.AddPrivateKey != nil {
		k, err := s.sealSAMLKey(*in.AddPrivateKey, c.Now)
		if err != nil {
			return nil, err
		}
		p.PrivateKeys = []store.SAMLPrivateKey{k}
	}
	if err := checkSAMLEncryption(p.AssertionEncryptionMode, p.PrivateKeys); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		n, err := countUpTo(maxSAMLProviders, func(o store.ListOptions) (store.Page[store.SAMLProvider], error) {
			return tx.ListSAMLProviders(c.AccountID, o)
		})
		if err != nil {
			return err
		}
		if n >= maxSAMLProviders {
			return wireError("LimitExceeded", "Cannot exceed quota for SamlProvidersPerAccount: %d", maxSAMLProviders)
		}
		if err := tx.CreateSAMLProvider(p); err != nil {
			return err
		}
		if len(tags) > 0 {
			return tx.TagResource(samlRef(c, p.ARN), tags)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.CreateSAMLProviderResponse{SAMLProviderArn: ptr(p.ARN), Tags: apiTags(tags)}, nil
}

func (s *Service) getSAMLProvider(ctx context.Context, c *service.Call, in *iamapi.GetSAMLProviderRequest) (*iamapi.GetSAMLProviderResponse, error) {
	arn, err := samlARN(in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	var p store.SAMLProvider
	var tags []store.Tag
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = tx.GetSAMLProvider(c.AccountID, arn); err != nil {
			return err
		}
		tags, err = allTags(tx, samlRef(c, arn))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.GetSAMLProviderResponse{
		SAMLProviderUUID:        ptr(p.UUID),
		SAMLMetadataDocument:    ptr(p.Metadata),
		CreateDate:              ptr(p.Created),
		ValidUntil:              ptr(samlValidUntil(p.ValidUntil, p.Created)),
		Tags:                    nonNil(apiTags(tags)),
		AssertionEncryptionMode: ptr(samlEncryptionMode(p)),
		PrivateKeyList:          []iamapi.SAMLPrivateKey{},
	}
	for _, k := range p.PrivateKeys {
		out.PrivateKeyList = append(out.PrivateKeyList, iamapi.SAMLPrivateKey{KeyId: ptr(k.KeyID), Timestamp: ptr(k.Timestamp)})
	}
	return out, nil
}

// samlEncryptionMode is the provider's AssertionEncryptionMode, Allowed
// unless it was set.
func samlEncryptionMode(p store.SAMLProvider) string {
	if p.AssertionEncryptionMode == "" {
		return samlAssertionEncryptionAllowed
	}
	return p.AssertionEncryptionMode
}

func (s *Service) updateSAMLProvider(ctx context.Context, c *service.Call, in *iamapi.UpdateSAMLProviderRequest) (*iamapi.UpdateSAMLProviderResponse, error) {
	arn, err := samlARN(in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	var upd store.SAMLProviderUpdate
	if in.SAMLMetadataDocument != nil {
		md, err := parseSAMLMetadata(*in.SAMLMetadataDocument)
		if err != nil {
			return nil, err
		}
		upd.Metadata, upd.ValidUntil = *in.SAMLMetadataDocument, md.ValidUntil
	}
	upd.AssertionEncryptionMode = in.AssertionEncryptionMode
	// The API reference: "To rotate private keys, add your new private key
	// and then remove the old key in a separate request."
	if in.AddPrivateKey != nil && in.RemovePrivateKey != nil {
		return nil, wireError("InvalidInput", "AddPrivateKey and RemovePrivateKey must be given in separate requests.")
	}
	var added store.SAMLPrivateKey
	if in.AddPrivateKey != nil {
		if added, err = s.sealSAMLKey(*in.AddPrivateKey, c.Now); err != nil {
			return nil, err
		}
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		p, err := tx.GetSAMLProvider(c.AccountID, arn)
		if err != nil {
			return err
		}
		keys := slices.Clone(p.PrivateKeys)
		switch {
		case in.AddPrivateKey != nil:
			if len(keys) >= maxSAMLPrivateKeys {
				return wireError("LimitExceeded", "Cannot exceed quota for PrivateKeysPerSamlProvider: %d", maxSAMLPrivateKeys)
			}
			keys = append(keys, added)
			upd.PrivateKeys = &keys
		case in.RemovePrivateKey != nil:
			i := slices.IndexFunc(keys, func(k store.SAMLPrivateKey) bool { return k.KeyID == *in.RemovePrivateKey })
			if i < 0 {
				return wireError("InvalidInput", "The SAML provider has no private key with id %s.", *in.RemovePrivateKey)
			}
			keys = slices.Delete(keys, i, i+1)
			upd.PrivateKeys = &keys
		}
		mode := p.AssertionEncryptionMode
		if upd.AssertionEncryptionMode != nil {
			mode = *upd.AssertionEncryptionMode
		}
		if err := checkSAMLEncryption(mode, keys); err != nil {
			return err
		}
		_, err = tx.UpdateSAMLProvider(c.AccountID, arn, upd)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.UpdateSAMLProviderResponse{SAMLProviderArn: ptr(arn)}, nil
}

func (s *Service) deleteSAMLProvider(ctx context.Context, c *service.Call, in *iamapi.DeleteSAMLProviderRequest) (*service.Empty, error) {
	arn, err := samlARN(in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	if err := s.store.Update(ctx, func(tx store.Tx) error { return tx.DeleteSAMLProvider(c.AccountID, arn) }); err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) listSAMLProviders(ctx context.Context, c *service.Call, in *iamapi.ListSAMLProvidersRequest) (*iamapi.ListSAMLProvidersResponse, error) {
	out := &iamapi.ListSAMLProvidersResponse{SAMLProviderList: []iamapi.SAMLProviderListEntry{}}
	// The operation has no pagination: every provider (at most 100) in one
	// answer.
	err := s.store.View(ctx, func(tx store.Tx) error {
		out.SAMLProviderList = out.SAMLProviderList[:0]
		opts := store.ListOptions{MaxItems: 1000}
		for {
			pg, err := tx.ListSAMLProviders(c.AccountID, opts)
			if err != nil {
				return err
			}
			for _, p := range pg.Items {
				out.SAMLProviderList = append(out.SAMLProviderList, iamapi.SAMLProviderListEntry{
					Arn:        ptr(p.ARN),
					ValidUntil: ptr(samlValidUntil(p.ValidUntil, p.Created)),
					CreateDate: ptr(p.Created),
				})
			}
			if !pg.Truncated() {
				return nil
			}
			opts.Marker = pg.Marker
		}
	})
	if err != nil {
		return nil, storeError(err)
	}
	return out, nil
}

func (s *Service) tagSAMLProvider(ctx context.Context, c *service.Call, in *iamapi.TagSAMLProviderRequest) (*service.Empty, error) {
	arn, err := samlARN(in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetSAMLProvider(c.AccountID, arn); err != nil {
			return err
		}
		return tagProvider(tx, samlRef(c, arn), tags)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) untagSAMLProvider(ctx context.Context, c *service.Call, in *iamapi.UntagSAMLProviderRequest) (*service.Empty, error) {
	arn, err := samlARN(in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	return s.untagResource(ctx, samlTagged(c, arn), in.TagKeys)
}

func (s *Service) listSAMLProviderTags(ctx context.Context, c *service.Call, in *iamapi.ListSAMLProviderTagsRequest) (*iamapi.ListSAMLProviderTagsResponse, error) {
	arn, err := samlARN(in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	tp, err := s.listResourceTags(ctx, samlTagged(c, arn), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListSAMLProviderTagsResponse{Tags: tp.Tags, IsTruncated: tp.IsTruncated, Marker: tp.Marker}, nil
}

// samlTagged resolves the provider for its tag operations: it must exist in
// the caller's account.
func samlTagged(c *service.Call, arn string) resolveTagged {
	return func(tx store.Tx) (store.ResourceRef, error) {
		if _, err := tx.GetSAMLProvider(c.AccountID, arn); err != nil {
			return store.ResourceRef{}, err
		}
		return samlRef(c, arn), nil
	}
}
