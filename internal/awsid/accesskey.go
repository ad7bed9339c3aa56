package awsid

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strconv"
)

// Access key ids made since 2018 encode their account: after the four-letter
// prefix, the 16 base32 characters decode to 10 bytes whose first six, read
// as a big-endian integer and masked with 0x7fffffffff80, hold the account id
// shifted left by 7 bits. STS's GetAccessKeyInfo answers from this encoding
// alone, for any key, so iamd's keys carry it too.
const accountMask = 0x7fffffffff80

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// AccessKeyIDFor returns a new access key id with the given prefix
// (LongTermAccessKey or TemporaryAccessKey) that encodes account.
func AccessKeyIDFor(prefix, account string) string {
	acct, err := strconv.ParseUint(account, 10, 64)
	if err != nil || acct >= 1<<40 {
		// Not a 12-digit account id: fall back to a random id.
		return AccessKeyID(prefix)
	}
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("awsid: crypto/rand failed: " + err.Error())
	}
	var head uint64
	for _, v := range b[:6] {
		head = head<<8 | uint64(v)
	}
	head = head&^accountMask | acct<<7&accountMask
	for i := 5; i >= 0; i-- {
		b[i] = byte(head)
		head >>= 8
	}
	return prefix + keyEncoding.EncodeToString(b[:])
}

// AccountFromAccessKeyID decodes the account id an access key id carries.
func AccountFromAccessKeyID(id string) (string, error) {
	if len(id) != 20 {
		return "", fmt.Errorf("awsid: access key id %q is not 20 characters", id)
	}
	b, err := keyEncoding.DecodeString(id[4:])
	if err != nil || len(b) < 6 {
		return "", fmt.Errorf("awsid: access key id %q is not base32", id)
	}
	var head uint64
	for _, v := range b[:6] {
		head = head<<8 | uint64(v)
	}
	return fmt.Sprintf("%012d", (head&accountMask)>>7), nil
}
