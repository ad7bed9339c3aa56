package iam

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"time"
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
