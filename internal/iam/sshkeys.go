package iam

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"

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
