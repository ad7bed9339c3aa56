// Package awsid generates identifiers in the exact formats AWS uses: unique
// ids with a type prefix (AIDA for users, AGPA for groups, AROA for roles,
// ANPA for managed policies, AIPA for instance profiles, ...), access key ids
// (AKIA long-lived, ASIA temporary), 40-character secret access keys and
// 12-digit account ids. Every value comes from crypto/rand, because ids and
// keys double as unguessable handles.
package awsid

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// Prefixes of AWS unique ids, from the IAM User Guide's "Unique identifiers"
// table. The ids are 21 characters: the four-letter prefix and 17 characters
// of upper-case base32 (A–Z, 2–7).
const (
	User               = "AIDA"
	Group              = "AGPA"
	Role               = "AROA"
	ManagedPolicy      = "ANPA"
	ManagedPolicyVer   = "ANVA"
	InstanceProfile    = "AIPA"
	ServerCertificate  = "ASCA"
	PublicKey          = "APKA"
	ServiceCredential  = "ACCA"
	LongTermAccessKey  = "AKIA"
	TemporaryAccessKey = "ASIA"
)

const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// randomBase32 returns n characters of upper-case base32. The modulo is
// unbiased because 32 divides 256.
func randomBase32(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("awsid: crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = base32Alphabet[b[i]%32]
	}
	return string(b)
}

// Unique returns a 21-character unique id with the given prefix, e.g.
// Unique(User) = "AIDAJQABLZS4A3QDU576Q".
func Unique(prefix string) string {
	return prefix + randomBase32(21-len(prefix))
}

// AccessKeyID returns a 20-character access key id with the given prefix
// (LongTermAccessKey or TemporaryAccessKey).
func AccessKeyID(prefix string) string {
	return prefix + randomBase32(20-len(prefix))
}

// SecretAccessKey returns a 40-character secret access key in AWS's alphabet
// (base64 letters, digits, '+' and '/'), carrying 240 bits of entropy.
func SecretAccessKey() string {
	b := make([]byte, 30)
	if _, err := rand.Read(b); err != nil {
		panic("awsid: crypto/rand failed: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// AccountID returns a random 12-digit account id that does not start with 0,
// so that it survives being read as a number by tools that do.
func AccountID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic("awsid: crypto/rand failed: " + err.Error())
	}
	var sb strings.Builder
	for i, v := range b {
		d := v % 10 // 256 % 10 = 6: bias of 6/256 per digit is irrelevant for ids
		if i == 0 {
			d = 1 + v%9
		}
		sb.WriteByte('0' + d)
	}
	return sb.String()
}

// RequestID returns a request id in the UUID form AWS uses for
// ResponseMetadata/RequestId.
func RequestID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("awsid: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 36)
	j := 0
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[v>>4], hex[v&0x0f]
		j += 2
	}
	return string(out)
}
