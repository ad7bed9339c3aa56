package store

import "time"

// AccessKeyStatus is Active or Inactive, as AWS spells them.
type AccessKeyStatus string

// The access key statuses.
const (
	AccessKeyActive   AccessKeyStatus = "Active"
	AccessKeyInactive AccessKeyStatus = "Inactive"
)

// AccessKey is a long-term access key of an IAM user or of an account's
// root user.
type AccessKey struct {
	ID      string // AKIA..., unique across the store
	Account string
	// UserName names the owning user; "" means the account's root user.
	// GetAccessKey and the lists fill in the user's current name, id and
	// path; CreateAccessKey reads only UserName.
	UserName string
	UserID   string
	UserPath string
	// Secret is the secret access key sealed by package seal, with the
	// key id as associated data; the store never sees it in the clear.
	Secret          []byte
	Status          AccessKeyStatus
	Created         time.Time
	LastUsed        time.Time // zero when never used
	LastUsedService string
	LastUsedRegion  string
}

// KeyUse is one observed use of an access key, for GetAccessKeyLastUsed.
type KeyUse struct {
	AccessKeyID string
	Time        time.Time
	Service     string // "iam", "sts", ...
	Region      string
}

// AccessKeys keeps access keys. GetAccessKey is the SigV4 hot path: one
// primary-key read.
type AccessKeys interface {
	// CreateAccessKey stores a new key for k.UserName (or the root user
	// when it is ""). ErrAlreadyExists if the id is taken anywhere;
	// ErrNotFound if the user does not exist. The service checks AWS's
	// quota of two keys per user inside the same Update.
	CreateAccessKey(k AccessKey) error
	// GetAccessKey returns the key with the id from any account, or
	// ErrNotFound.
	GetAccessKey(id string) (AccessKey, error)
	// ListAccessKeys lists the user's keys ("" for root) ordered by id.
	// ErrNotFound if the user does not exist.
	ListAccessKeys(account, user string, opts ListOptions) (Page[AccessKey], error)
	// CountAccessKeys returns the number of keys the user ("" for root)
	// has.
	CountAccessKeys(account, user string) (int, error)
	// UpdateAccessKeyStatus sets the key's status. The key must belong to
	// the user ("" for root) in the account, else ErrNotFound.
	UpdateAccessKeyStatus(account, user, id string, status AccessKeyStatus) error
	// DeleteAccessKey deletes the key; it must belong to the user ("" for
	// root), else ErrNotFound.
	DeleteAccessKey(account, user, id string) error
	// RecordAccessKeyUse applies many uses at once (the server batches
	// them off the request path). A use older than the one recorded is
	// ignored, and so is a use of a key deleted meanwhile.
	RecordAccessKeyUse(uses []KeyUse) error
}
