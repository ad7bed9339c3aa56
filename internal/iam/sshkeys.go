package iam

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"golang.org/x/crypto/ssh"
)

// AWS's rules on SSH public keys (IAM User Guide, "IAM and AWS STS quotas":
// five per user; API reference of UploadSSHPublicKey: "The public key must
// be encoded in ssh-rsa format or PEM format. The minimum bit-length of the
// public key is 2048 bits."). CodeCommit, the one service that uses these
// keys, accepts RSA keys only, so an ssh-ed25519 or ECDSA key is an
// encoding IAM does not recognise.
const (
	maxSSHPublicKeysPerUser = 5
	minSSHPublicKeyBits     = 2048
)

// The messages of UploadSSHPublicKey's errors, in the words of the model's
// descriptions of the exceptions: no public record shows AWS's own.
const (
	msgUnrecognizedPublicKey = "The public key encoding format is unsupported or unrecognized. The key must be an ssh-rsa or PEM encoded RSA public key."
	msgInvalidPublicKey      = "The public key is malformed or otherwise invalid."
	msgDuplicateSSHPublicKey = "The SSH public key is already associated with the specified IAM user."
)

// The encodings GetSSHPublicKey returns a key in.
const (
	sshEncodingSSH = "SSH"
	sshEncodingPEM = "PEM"
)

// parseSSHPublicKey reads an SSH public key in either encoding IAM accepts:
// an OpenSSH authorized_keys line ("ssh-rsa AAAA... comment"), or a PEM
// RSA public key (PKIX "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY"). Anything
// that is neither, or a key of another algorithm, is
// UnrecognizedPublicKeyEncoding; an ssh-rsa line or PEM block whose key
// does not decode, or an RSA key shorter than 2048 bits, is
// InvalidPublicKey.
func parseSSHPublicKey(body string) (ssh.PublicKey, error) {
	text := strings.TrimSpace(body)
	var rsaKey *rsa.PublicKey
	switch {
	case strings.HasPrefix(text, "-----BEGIN "):
		block, rest := pem.Decode([]byte(text))
		if block == nil || len(bytes.TrimSpace(rest)) != 0 {
			return nil, wireError("InvalidPublicKey", msgInvalidPublicKey)
		}
		switch block.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, wireError("InvalidPublicKey", msgInvalidPublicKey)
			}
			var ok bool
			if rsaKey, ok = k.(*rsa.PublicKey); !ok {
				return nil, wireError("UnrecognizedPublicKeyEncoding", msgUnrecognizedPublicKey)
			}
		case "RSA PUBLIC KEY":
			k, err := x509.ParsePKCS1PublicKey(block.Bytes)
			if err != nil {
				return nil, wireError("InvalidPublicKey", msgInvalidPublicKey)
			}
			rsaKey = k
		default:
			return nil, wireError("UnrecognizedPublicKeyEncoding", msgUnrecognizedPublicKey)
		}
	case strings.HasPrefix(text, ssh.KeyAlgoRSA+" "):
		if strings.ContainsAny(text, "\r\n") {
			return nil, wireError("InvalidPublicKey", msgInvalidPublicKey)
		}
		k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(text))
		if err != nil || k.Type() != ssh.KeyAlgoRSA {
			return nil, wireError("InvalidPublicKey", msgInvalidPublicKey)
		}
		ck, ok := k.(ssh.CryptoPublicKey)
		if !ok {
			return nil, wireError("InvalidPublicKey", msgInvalidPublicKey)
		}
		if rsaKey, ok = ck.CryptoPublicKey().(*rsa.PublicKey); !ok {
			return nil, wireError("InvalidPublicKey", msgInvalidPublicKey)
		}
	default:
		return nil, wireError("UnrecognizedPublicKeyEncoding", msgUnrecognizedPublicKey)
	}
	if rsaKey.N.BitLen() < minSSHPublicKeyBits {
		return nil, wireError("InvalidPublicKey", msgInvalidPublicKey)
	}
	k, err := ssh.NewPublicKey(rsaKey)
	if err != nil {
		return nil, wireError("InvalidPublicKey", msgInvalidPublicKey)
	}
	return k, nil
}

// sshFingerprint is the fingerprint AWS shows for an SSH public key: the
// MD5 hash of the key's wire encoding as colon-separated hex pairs, the
// form of "ssh-keygen -l -E md5" (without its "MD5:" prefix).
func sshFingerprint(k ssh.PublicKey) string {
	return ssh.FingerprintLegacyMD5(k)
}

// encodeSSHPublicKey renders a key in one of GetSSHPublicKey's encodings:
// SSH is the authorized_keys form without a comment, PEM the PKIX "PUBLIC
// KEY" block.
func encodeSSHPublicKey(k ssh.PublicKey, encoding string) (string, error) {
	switch encoding {
	case sshEncodingSSH:
		return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))), nil
	case sshEncodingPEM:
		ck, ok := k.(ssh.CryptoPublicKey)
		if !ok {
			return "", wireError("UnrecognizedPublicKeyEncoding", msgUnrecognizedPublicKey)
		}
		der, err := x509.MarshalPKIXPublicKey(ck.CryptoPublicKey())
		if err != nil {
			return "", err
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
	}
	return "", wireError("UnrecognizedPublicKeyEncoding", "Encoding %s is not SSH or PEM.", encoding)
}

var _ = family((*Service).sshKeyOperations)

// localstack's recorded AWS response.
var _ = entity(store.KindSSHPublicKey, "The Public Key with id %s cannot be found.", "")

func (s *Service) sshKeyOperations(t service.Table) {
	t["UploadSSHPublicKey"] = service.Op(s.uploadSSHPublicKey)
	t["GetSSHPublicKey"] = service.Op(s.getSSHPublicKey)
	t["UpdateSSHPublicKey"] = service.Op(s.updateSSHPublicKey)
	t["DeleteSSHPublicKey"] = service.Op(s.deleteSSHPublicKey)
	t["ListSSHPublicKeys"] = service.Op(s.listSSHPublicKeys)
}

// apiSSHPublicKey renders a stored key with its body in the encoding.
func apiSSHPublicKey(k store.SSHPublicKey, encoding string) (*iamapi.SSHPublicKey, error) {
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k.Body))
	if err != nil {
		return nil, fmt.Errorf("stored SSH public key %s: %w", k.ID, err)
	}
	body, err := encodeSSHPublicKey(pub, encoding)
	if err != nil {
		return nil, err
	}
	return &iamapi.SSHPublicKey{
		UserName:         k.UserName,
		SSHPublicKeyId:   k.ID,
		Fingerprint:      k.Fingerprint,
		SSHPublicKeyBody: body,
		Status:           string(k.Status),
		UploadDate:       ptr(k.Uploaded),
	}, nil
}

func (s *Service) uploadSSHPublicKey(ctx context.Context, c *service.Call, in *iamapi.UploadSSHPublicKeyRequest) (*iamapi.UploadSSHPublicKeyResponse, error) {
	pub, err := parseSSHPublicKey(in.SSHPublicKeyBody)
	if err != nil {
		return nil, err
	}
	// The key is kept in the SSH encoding without its comment, so that the
	// same key uploaded in PEM or with another comment is the same key.
	body, err := encodeSSHPublicKey(pub, sshEncodingSSH)
	if err != nil {
		return nil, err
	}
	k := store.SSHPublicKey{
		ID:          awsid.Unique(awsid.PublicKey),
		Account:     c.AccountID,
		UserName:    in.UserName,
		Body:        body,
		Fingerprint: sshFingerprint(pub),
		Status:      store.AccessKeyActive,
		Uploaded:    c.Now,
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		p, err := tx.ListSSHPublicKeys(c.AccountID, in.UserName, store.ListOptions{MaxItems: 1000}) // and the user exists
		if err != nil {
			return err
		}
		for _, have := range p.Items {
			if have.Body == body {
				return wireError("DuplicateSSHPublicKey", msgDuplicateSSHPublicKey)
			}
		}
		if len(p.Items) >= maxSSHPublicKeysPerUser {
			return wireError("LimitExceeded", "Cannot exceed quota for PublicKeysPerUser: %d", maxSSHPublicKeysPerUser)
		}
		if err := tx.UploadSSHPublicKey(k); err != nil {
			return err
		}
		k, err = tx.GetSSHPublicKey(c.AccountID, in.UserName, k.ID) // the user name as created
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out, err := apiSSHPublicKey(k, sshEncodingSSH)
	if err != nil {
		return nil, err
	}
	return &iamapi.UploadSSHPublicKeyResponse{SSHPublicKey: out}, nil
}

func (s *Service) getSSHPublicKey(ctx context.Context, c *service.Call, in *iamapi.GetSSHPublicKeyRequest) (*iamapi.GetSSHPublicKeyResponse, error) {
	var k store.SSHPublicKey
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		k, err = tx.GetSSHPublicKey(c.AccountID, in.UserName, in.SSHPublicKeyId)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out, err := apiSSHPublicKey(k, in.Encoding)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetSSHPublicKeyResponse{SSHPublicKey: out}, nil
}

func (s *Service) updateSSHPublicKey(ctx context.Context, c *service.Call, in *iamapi.UpdateSSHPublicKeyRequest) (*service.Empty, error) {
	if err := checkCredentialStatus(in.Status, "SSH public key"); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		return tx.UpdateSSHPublicKeyStatus(c.AccountID, in.UserName, in.SSHPublicKeyId, store.AccessKeyStatus(in.Status))
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) deleteSSHPublicKey(ctx context.Context, c *service.Call, in *iamapi.DeleteSSHPublicKeyRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error { return tx.DeleteSSHPublicKey(c.AccountID, in.UserName, in.SSHPublicKeyId) })
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) listSSHPublicKeys(ctx context.Context, c *service.Call, in *iamapi.ListSSHPublicKeysRequest) (*iamapi.ListSSHPublicKeysResponse, error) {
	user, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListSSHPublicKeysResponse{SSHPublicKeys: []iamapi.SSHPublicKeyMetadata{}}
	if user == "" {
		// The root user has no SSH public keys: they are for IAM users'
		// CodeCommit access.
		out.IsTruncated = ptr(false)
		return out, nil
	}
	var p store.Page[store.SSHPublicKey]
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListSSHPublicKeys(c.AccountID, user, page(in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	for _, k := range p.Items {
		out.SSHPublicKeys = append(out.SSHPublicKeys, iamapi.SSHPublicKeyMetadata{
			UserName:       k.UserName,
			SSHPublicKeyId: k.ID,
			Status:         string(k.Status),
			UploadDate:     k.Uploaded,
		})
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}
