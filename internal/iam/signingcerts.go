package iam

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"time"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

// AWS's quota on signing certificates: two per user (IAM User Guide, "IAM
// and AWS STS quotas"), reported as CertificatesPerUser (localstack's
// recorded AWS response).
const maxSigningCertificatesPerUser = 2

// signingCertificateIDLength is the length of a signing certificate id:
// upper-case letters and digits, like AWS's ids (the model allows 24 to
// 128 word characters).
const signingCertificateIDLength = 32

// parseSigningCertificate checks an UploadSigningCertificate body: one PEM
// X.509 certificate (else MalformedCertificate, worded with the body as
// localstack recorded it from AWS: "Certificate invalid-certificate-body is
// malformed."), valid now (else InvalidCertificate, in iamd's words: no
// public record shows AWS's). It returns the certificate and the SHA-256
// fingerprint of its DER encoding, which identifies the same certificate
// uploaded twice in whatever PEM layout.
func parseSigningCertificate(body string, now time.Time) (*x509.Certificate, string, error) {
	cert, err := parseOnePEMCertificate(body)
	if err != nil {
		return nil, "", wireError("MalformedCertificate", "Certificate %s is malformed.", body)
	}
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, "", wireError("InvalidCertificate", "Certificate %s is not within its validity period.", body)
	}
	sum := sha256.Sum256(cert.Raw)
	return cert, hex.EncodeToString(sum[:]), nil
}

// randomUpperID returns n random upper-case letters and digits 2–7 (the
// base32 alphabet, which AWS's ids use), from crypto/rand because ids
// double as unguessable handles.
func randomUpperID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("iam: crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[b[i]%32]
	}
	return string(b)
}

// checkCredentialStatus accepts the statuses a user may set on a signing
// certificate, SSH key or service-specific credential: the model's
// statusType also lists Expired, which only IAM sets.
func checkCredentialStatus(status, what string) error {
	if status != "Active" && status != "Inactive" {
		return wireError("InvalidInput", "%s status must be Active or Inactive.", what)
	}
	return nil
}

var _ = family((*Service).signingCertificateOperations)

// localstack's recorded AWS response.
var _ = entity(store.KindSigningCertificate, "The Certificate with id %s cannot be found.", "")

func (s *Service) signingCertificateOperations(t service.Table) {
	t["UploadSigningCertificate"] = service.Op(s.uploadSigningCertificate)
	t["UpdateSigningCertificate"] = service.Op(s.updateSigningCertificate)
	t["DeleteSigningCertificate"] = service.Op(s.deleteSigningCertificate)
	t["ListSigningCertificates"] = service.Op(s.listSigningCertificates)
}

// apiSigningCertificate renders a stored signing certificate.
func apiSigningCertificate(sc store.SigningCertificate) iamapi.SigningCertificate {
	return iamapi.SigningCertificate{
		UserName:        sc.UserName,
		CertificateId:   sc.ID,
		CertificateBody: sc.Body,
		Status:          string(sc.Status),
		UploadDate:      ptr(sc.Uploaded),
	}
}

// signingCertificateTaken reports whether a certificate with the
// fingerprint belongs to any user of the account, or to its root user:
// AWS refuses the same certificate twice in an account (the model's
// DuplicateCertificateException). The store keeps signing certificates per
// user, so this reads every user's (at most two each).
func signingCertificateTaken(tx store.Tx, account, fingerprint string) (bool, error) {
	owned := func(user string) (bool, error) {
		p, err := tx.ListSigningCertificates(account, user, store.ListOptions{MaxItems: 1000})
		if err != nil {
			return false, err
		}
		for _, sc := range p.Items {
			if cert, err := parseOnePEMCertificate(sc.Body); err == nil {
				if sum := sha256.Sum256(cert.Raw); hex.EncodeToString(sum[:]) == fingerprint {
					return true, nil
				}
			}
		}
		return false, nil
	}
	if taken, err := owned(""); taken || err != nil {
		return taken, err
	}
	opts := store.PathListOptions{MaxItems: 1000}
	for {
		p, err := tx.ListUsers(account, opts)
		if err != nil {
			return false, err
		}
		for _, u := range p.Items {
			if taken, err := owned(u.Name); taken || err != nil {
				return taken, err
			}
		}
		if !p.Truncated() {
			return false, nil
		}
		opts.Marker = p.Marker
	}
}

func (s *Service) uploadSigningCertificate(ctx context.Context, c *service.Call, in *iamapi.UploadSigningCertificateRequest) (*iamapi.UploadSigningCertificateResponse, error) {
	user, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	sc := store.SigningCertificate{
		ID:       randomUpperID(signingCertificateIDLength),
		Account:  c.AccountID,
		UserName: user,
		Body:     in.CertificateBody,
		Status:   store.AccessKeyActive,
		Uploaded: c.Now,
	}
	_, fingerprint, certErr := parseSigningCertificate(in.CertificateBody, c.Now)
	err = s.store.Update(ctx, func(tx store.Tx) error {
		// A missing user is answered before a bad certificate.
		if user != "" {
			if _, err := tx.GetUser(c.AccountID, user); err != nil {
				return err
			}
		}
		if certErr != nil {
			return certErr
		}
		n, err := tx.CountSigningCertificates(c.AccountID, user)
		if err != nil {
			return err
		}
		if n >= maxSigningCertificatesPerUser {
			return wireError("LimitExceeded", "Cannot exceed quota for CertificatesPerUser: %d", maxSigningCertificatesPerUser)
		}
		taken, err := signingCertificateTaken(tx, c.AccountID, fingerprint)
		if err != nil {
			return err
		}
		if taken {
			return wireError("DuplicateCertificate", "The certificate is already associated with an IAM user in the account.")
		}
		return tx.UploadSigningCertificate(sc)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.UploadSigningCertificateResponse{Certificate: apiSigningCertificate(sc)}, nil
}

func (s *Service) updateSigningCertificate(ctx context.Context, c *service.Call, in *iamapi.UpdateSigningCertificateRequest) (*service.Empty, error) {
	user, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if err := checkCredentialStatus(in.Status, "Certificate"); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		return tx.UpdateSigningCertificateStatus(c.AccountID, user, in.CertificateId, store.AccessKeyStatus(in.Status))
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) deleteSigningCertificate(ctx context.Context, c *service.Call, in *iamapi.DeleteSigningCertificateRequest) (*service.Empty, error) {
	user, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error { return tx.DeleteSigningCertificate(c.AccountID, user, in.CertificateId) })
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) listSigningCertificates(ctx context.Context, c *service.Call, in *iamapi.ListSigningCertificatesRequest) (*iamapi.ListSigningCertificatesResponse, error) {
	user, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	var p store.Page[store.SigningCertificate]
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListSigningCertificates(c.AccountID, user, page(in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListSigningCertificatesResponse{Certificates: make([]iamapi.SigningCertificate, 0, len(p.Items))}
	for _, sc := range p.Items {
		out.Certificates = append(out.Certificates, apiSigningCertificate(sc))
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}
