package iam

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
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
