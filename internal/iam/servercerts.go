package iam

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

// The messages of UploadServerCertificate's errors. AWS answers a body it
// cannot parse with msgMalformedCertificate (aws-cli#715 and
// openshift-ansible#11214 quote it) and, AWS support said in
// aws-sdk-go#2586, a certificate outside its validity period with the same
// misleading one; msgChainOrder is quoted in aws-cli#715 and lego#304. No
// public record shows AWS's words for an unparsable chain or private key or
// for a mismatched key pair: those three are iamd's, in the same style.
const (
	msgMalformedCertificate = "Unable to parse certificate. Please ensure the certificate is in PEM format."
	msgMalformedChain       = "Unable to parse certificate chain. Please ensure the certificate chain is in PEM format."
	msgChainOrder           = "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: %d"
	msgMalformedPrivateKey  = "Unable to parse private key. Please ensure the private key is in PEM format."
	msgKeyPairMismatch      = "The private key does not match the public key in the certificate."
)

// serverCertificate is an uploaded certificate after the checks IAM makes.
type serverCertificate struct {
	Leaf  *x509.Certificate
	Chain []*x509.Certificate
}

// parseServerCertificate checks an UploadServerCertificate request as IAM
// does: the body is one PEM certificate, valid now; the private key is an
// unencrypted PEM private key whose public half is the certificate's; the
// optional chain is PEM certificates, starting with the one that signed
// the body and each followed by the one that signed it.
func parseServerCertificate(body, privateKey string, chain *string, now time.Time) (serverCertificate, error) {
	leaf, err := parseOnePEMCertificate(body)
	if err != nil || now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return serverCertificate{}, wireError("MalformedCertificate", msgMalformedCertificate)
	}
	block, rest := pem.Decode([]byte(privateKey))
	if block == nil || len(bytes.TrimSpace(rest)) != 0 {
		return serverCertificate{}, wireError("MalformedCertificate", msgMalformedPrivateKey)
	}
	key, err := parsePrivateKey(block)
	if err != nil {
		return serverCertificate{}, wireError("MalformedCertificate", msgMalformedPrivateKey)
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return serverCertificate{}, wireError("KeyPairMismatch", msgKeyPairMismatch)
	}
	sc := serverCertificate{Leaf: leaf}
	if chain == nil {
		return sc, nil
	}
	if sc.Chain, err = parsePEMCertificates(*chain); err != nil || len(sc.Chain) == 0 {
		return serverCertificate{}, wireError("MalformedCertificate", msgMalformedChain)
	}
	// Index -1 is the body itself not signed by the chain's first
	// certificate; index i is the chain's certificate i not signed by the
	// next one. The last certificate of the chain may be a root or an
	// intermediate whose issuer is left out.
	if leaf.CheckSignatureFrom(sc.Chain[0]) != nil {
		return serverCertificate{}, wireError("MalformedCertificate", msgChainOrder, -1)
	}
	for i := 0; i+1 < len(sc.Chain); i++ {
		if sc.Chain[i].CheckSignatureFrom(sc.Chain[i+1]) != nil {
			return serverCertificate{}, wireError("MalformedCertificate", msgChainOrder, i)
		}
	}
	return sc, nil
}

// parseOnePEMCertificate parses a PEM document holding exactly one
// certificate.
func parseOnePEMCertificate(s string) (*x509.Certificate, error) {
	block, rest := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("not one PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}

// parsePEMCertificates parses a PEM document holding certificates only.
func parsePEMCertificates(s string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := []byte(s)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %q is not a certificate", block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("text outside PEM blocks")
	}
	return certs, nil
}

// parsePrivateKey parses an unencrypted private key in the PEM forms
// OpenSSL writes: PKCS#1 ("RSA PRIVATE KEY"), SEC 1 ("EC PRIVATE KEY") and
// PKCS#8 ("PRIVATE KEY"). An encrypted key cannot be used without its
// passphrase, which the API has no parameter for.
func parsePrivateKey(block *pem.Block) (crypto.Signer, error) {
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		return nil, errors.New("encrypted private key")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("not a signing key")
	}
	return signer, nil
}

// serverCertificateARN builds the ARN of a server certificate.
func serverCertificateARN(partition, account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:server-certificate%s%s", partition, account, path, name)
}

var _ = family((*Service).serverCertificateOperations)

// localstack's recorded AWS responses.
var _ = entity(store.KindServerCertificate, "The Server Certificate with name %s cannot be found.", "The Server Certificate with name %s already exists.")

// maxServerCertificates is AWS's quota of server certificates per account
// (IAM User Guide, "IAM and AWS STS quotas"; GetAccountSummary's
// ServerCertificatesQuota).
const maxServerCertificates = 20

func (s *Service) serverCertificateOperations(t service.Table) {
	t["UploadServerCertificate"] = service.Op(s.uploadServerCertificate)
	t["GetServerCertificate"] = service.Op(s.getServerCertificate)
	t["UpdateServerCertificate"] = service.Op(s.updateServerCertificate)
	t["DeleteServerCertificate"] = service.Op(s.deleteServerCertificate)
	t["ListServerCertificates"] = service.Op(s.listServerCertificates)
	t["TagServerCertificate"] = service.Op(s.tagServerCertificate)
	t["UntagServerCertificate"] = service.Op(s.untagServerCertificate)
	t["ListServerCertificateTags"] = service.Op(s.listServerCertificateTags)
}

// apiServerCertificateMetadata renders a stored certificate's metadata.
func apiServerCertificateMetadata(c *service.Call, sc store.ServerCertificate) iamapi.ServerCertificateMetadata {
	return iamapi.ServerCertificateMetadata{
		Path:                  sc.Path,
		ServerCertificateName: sc.Name,
		ServerCertificateId:   sc.ID,
		Arn:                   serverCertificateARN(c.Partition, sc.Account, sc.Path, sc.Name),
		UploadDate:            ptr(sc.Uploaded),
		Expiration:            ptr(sc.Expiration),
	}
}

// serverCertificateRef is the tag reference of a server certificate.
func serverCertificateRef(sc store.ServerCertificate) store.ResourceRef {
	return store.ResourceRef{Account: sc.Account, Kind: store.KindServerCertificate, ID: sc.ID}
}

func (s *Service) uploadServerCertificate(ctx context.Context, c *service.Call, in *iamapi.UploadServerCertificateRequest) (*iamapi.UploadServerCertificateResponse, error) {
	parsed, err := parseServerCertificate(in.CertificateBody, in.PrivateKey, in.CertificateChain, c.Now)
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	sc := store.ServerCertificate{
		Account:    c.AccountID,
		ID:         awsid.Unique(awsid.ServerCertificate),
		Name:       in.ServerCertificateName,
		Path:       pathOr(in.Path),
		Body:       in.CertificateBody,
		Chain:      str(in.CertificateChain),
		Uploaded:   c.Now,
		Expiration: parsed.Leaf.NotAfter.UTC(),
	}
	sc.ARN = serverCertificateARN(c.Partition, sc.Account, sc.Path, sc.Name)
	// The key never leaves the server again: it is sealed, bound to the
	// certificate's id, and no operation returns it.
	if sc.PrivateKey, err = s.keyring.Seal([]byte(in.PrivateKey), []byte(sc.ID)); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		n, err := tx.CountServerCertificates(c.AccountID)
		if err != nil {
			return err
		}
		if n >= maxServerCertificates {
			return wireError("LimitExceeded", "Cannot exceed quota for ServerCertificatesPerAccount: %d", maxServerCertificates)
		}
		if err := tx.UploadServerCertificate(sc); err != nil {
			return err
		}
		if len(tags) > 0 {
			return tx.TagResource(serverCertificateRef(sc), tags)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	m := apiServerCertificateMetadata(c, sc)
	return &iamapi.UploadServerCertificateResponse{ServerCertificateMetadata: &m, Tags: apiTags(tags)}, nil
}

func (s *Service) getServerCertificate(ctx context.Context, c *service.Call, in *iamapi.GetServerCertificateRequest) (*iamapi.GetServerCertificateResponse, error) {
	var sc store.ServerCertificate
	var tags []store.Tag
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if sc, err = tx.GetServerCertificate(c.AccountID, in.ServerCertificateName); err != nil {
			return err
		}
		tags, err = allTags(tx, serverCertificateRef(sc))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := iamapi.ServerCertificate{
		ServerCertificateMetadata: apiServerCertificateMetadata(c, sc),
		CertificateBody:           sc.Body,
		Tags:                      nonNil(apiTags(tags)),
	}
	if sc.Chain != "" {
		out.CertificateChain = ptr(sc.Chain)
	}
	return &iamapi.GetServerCertificateResponse{ServerCertificate: out}, nil
}

func (s *Service) updateServerCertificate(ctx context.Context, c *service.Call, in *iamapi.UpdateServerCertificateRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		sc, err := tx.GetServerCertificate(c.AccountID, in.ServerCertificateName)
		if err != nil {
			return err
		}
		upd := store.ServerCertificateUpdate{NewName: str(in.NewServerCertificateName), NewPath: str(in.NewPath)}
		if upd == (store.ServerCertificateUpdate{}) {
			return nil
		}
		name, path := sc.Name, sc.Path
		if upd.NewName != "" {
			name = upd.NewName
		}
		if upd.NewPath != "" {
			path = upd.NewPath
		}
		upd.NewARN = serverCertificateARN(c.Partition, sc.Account, path, name)
		_, err = tx.UpdateServerCertificate(c.AccountID, in.ServerCertificateName, upd)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) deleteServerCertificate(ctx context.Context, c *service.Call, in *iamapi.DeleteServerCertificateRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error { return tx.DeleteServerCertificate(c.AccountID, in.ServerCertificateName) })
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) listServerCertificates(ctx context.Context, c *service.Call, in *iamapi.ListServerCertificatesRequest) (*iamapi.ListServerCertificatesResponse, error) {
	var p store.Page[store.ServerCertificate]
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListServerCertificates(c.AccountID, pathPage(in.PathPrefix, in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListServerCertificatesResponse{ServerCertificateMetadataList: make([]iamapi.ServerCertificateMetadata, 0, len(p.Items))}
	for _, sc := range p.Items {
		out.ServerCertificateMetadataList = append(out.ServerCertificateMetadataList, apiServerCertificateMetadata(c, sc))
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}

func (s *Service) tagServerCertificate(ctx context.Context, c *service.Call, in *iamapi.TagServerCertificateRequest) (*service.Empty, error) {
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		sc, err := tx.GetServerCertificate(c.AccountID, in.ServerCertificateName)
		if err != nil {
			return err
		}
		return tagResource(tx, serverCertificateRef(sc), tags, "ServerCertificate")
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) untagServerCertificate(ctx context.Context, c *service.Call, in *iamapi.UntagServerCertificateRequest) (*service.Empty, error) {
	return s.untagResource(ctx, func(tx store.Tx) (store.ResourceRef, error) {
		sc, err := tx.GetServerCertificate(c.AccountID, in.ServerCertificateName)
		if err != nil {
			return store.ResourceRef{}, err
		}
		return serverCertificateRef(sc), nil
	}, in.TagKeys)
}

func (s *Service) listServerCertificateTags(ctx context.Context, c *service.Call, in *iamapi.ListServerCertificateTagsRequest) (*iamapi.ListServerCertificateTagsResponse, error) {
	tp, err := s.listResourceTags(ctx, func(tx store.Tx) (store.ResourceRef, error) {
		sc, err := tx.GetServerCertificate(c.AccountID, in.ServerCertificateName)
		if err != nil {
			return store.ResourceRef{}, err
		}
		return serverCertificateRef(sc), nil
	}, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListServerCertificateTagsResponse{Tags: tp.Tags, IsTruncated: tp.IsTruncated, Marker: tp.Marker}, nil
}
