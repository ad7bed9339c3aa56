package store

import "time"

// OIDCProvider is an OpenID Connect identity provider. Its tags are kept
// through Tags with ResourceRef{Kind: KindOIDCProvider, ID: provider.ARN}.
type OIDCProvider struct {
	Account     string
	ARN         string // arn:<partition>:iam::<account>:oidc-provider/<host/path>, unique
	URL         string
	ClientIDs   []string // in the order they were added
	Thumbprints []string
	Created     time.Time
}

// SAMLPrivateKey is a private key a SAML provider decrypts assertions with.
type SAMLPrivateKey struct {
	KeyID     string
	Key       []byte // sealed by package seal
	Timestamp time.Time
}

// SAMLProvider is a SAML 2.0 identity provider. Its tags are kept through
// Tags with ResourceRef{Kind: KindSAMLProvider, ID: provider.ARN}.
type SAMLProvider struct {
	Account  string
	ARN      string // arn:<partition>:iam::<account>:saml-provider/<name>, unique
	Name     string // unique in the account without regard to case
	UUID     string // SAMLProviderUUID
	Metadata string // the metadata document as given
	// ValidUntil is the metadata's expiry; zero when it names none.
	ValidUntil              time.Time
	Created                 time.Time
	AssertionEncryptionMode string // "" when not set
	PrivateKeys             []SAMLPrivateKey
}

// SAMLProviderUpdate is what UpdateSAMLProvider changes; nil and empty
// fields stay as they are.
type SAMLProviderUpdate struct {
	Metadata                string
	ValidUntil              time.Time // set together with Metadata
	AssertionEncryptionMode *string
	PrivateKeys             *[]SAMLPrivateKey // replaces the whole list
}

// IdentityProviders keeps OpenID Connect and SAML providers, named by ARN
// as the IAM API names them.
type IdentityProviders interface {
	// CreateOIDCProvider stores a provider; ErrAlreadyExists if the ARN
	// is taken.
	CreateOIDCProvider(p OIDCProvider) error
	// GetOIDCProvider returns the account's provider, or ErrNotFound.
	GetOIDCProvider(account, arn string) (OIDCProvider, error)
	// AddOIDCClientID appends a client id; adding one again is not an
	// error.
	AddOIDCClientID(account, arn, clientID string) error
	// RemoveOIDCClientID removes a client id; removing an absent one is
	// not an error (AWS documents the operation as idempotent).
	RemoveOIDCClientID(account, arn, clientID string) error
	// SetOIDCThumbprints replaces the thumbprint list.
	SetOIDCThumbprints(account, arn string, thumbprints []string) error
	// DeleteOIDCProvider deletes the provider and its tags.
	DeleteOIDCProvider(account, arn string) error
	// ListOIDCProviders lists the account's providers, ordered by ARN.
	ListOIDCProviders(account string, opts ListOptions) (Page[OIDCProvider], error)

	// CreateSAMLProvider stores a provider; ErrAlreadyExists if the ARN or
	// the name in the account is taken.
	CreateSAMLProvider(p SAMLProvider) error
	// GetSAMLProvider returns the account's provider, or ErrNotFound.
	GetSAMLProvider(account, arn string) (SAMLProvider, error)
	// UpdateSAMLProvider changes the provider and returns the result.
	UpdateSAMLProvider(account, arn string, upd SAMLProviderUpdate) (SAMLProvider, error)
	// DeleteSAMLProvider deletes the provider and its tags.
	DeleteSAMLProvider(account, arn string) error
	// ListSAMLProviders lists the account's providers, ordered by ARN.
	ListSAMLProviders(account string, opts ListOptions) (Page[SAMLProvider], error)
}
