package store

import "time"

// ServerCertificate is an uploaded server certificate. Its tags are kept
// through Tags with ResourceRef{Kind: KindServerCertificate, ID: cert.ID}.
type ServerCertificate struct {
	Account    string
	ID         string // ASCA..., unique across the store
	Name       string // unique in the account without regard to case
	Path       string
	ARN        string
	Body       string // PEM
	Chain      string // PEM, "" when none
	PrivateKey []byte // sealed by package seal
	Uploaded   time.Time
	Expiration time.Time
}

// ServerCertificateUpdate renames and/or moves a certificate; its ARN
// changes with them, so the service supplies the new one.
type ServerCertificateUpdate struct {
	NewName string
	NewPath string
	NewARN  string // required when NewName or NewPath is set
}

// SigningCertificate is an X.509 signing certificate of a user, or of the
// account's root user (UserName "").
type SigningCertificate struct {
	ID       string // unique across the store
	Account  string
	UserName string // filled by the store on reads
	UserID   string
	Body     string
	Status   AccessKeyStatus // Active or Inactive, like access keys
	Uploaded time.Time
}

// SSHPublicKey is a user's SSH public key (for CodeCommit).
type SSHPublicKey struct {
	ID          string // APKA..., unique across the store
	Account     string
	UserName    string // filled by the store on reads
	UserID      string
	Body        string
	Fingerprint string
	Status      AccessKeyStatus
	Uploaded    time.Time
}

// ServiceSpecificCredential is a user's password for one AWS service
// (CodeCommit, Keyspaces, Bedrock API keys, ...).
type ServiceSpecificCredential struct {
	ID              string // ACCA..., unique across the store
	Account         string
	UserName        string // filled by the store on reads
	UserID          string
	ServiceName     string
	ServiceUserName string
	Alias           string // ServiceCredentialAlias, "" when none
	Password        []byte // sealed by package seal
	Status          AccessKeyStatus
	Created         time.Time
	Expiration      time.Time // zero when it does not expire
}

// Certificates keeps server certificates, signing certificates, SSH public
// keys and service-specific credentials. The per-user kinds block the
// user's deletion (UserDependencies).
type Certificates interface {
	// UploadServerCertificate stores a certificate; ErrAlreadyExists if
	// its name (without regard to case), id or ARN is taken.
	UploadServerCertificate(c ServerCertificate) error
	// GetServerCertificate returns the account's certificate with the
	// name, or ErrNotFound.
	GetServerCertificate(account, name string) (ServerCertificate, error)
	// UpdateServerCertificate renames or moves it and returns the result.
	UpdateServerCertificate(account, name string, upd ServerCertificateUpdate) (ServerCertificate, error)
	// DeleteServerCertificate deletes it and its tags.
	DeleteServerCertificate(account, name string) error
	// ListServerCertificates lists the account's certificates (see
	// PathListOptions).
	ListServerCertificates(account string, opts PathListOptions) (Page[ServerCertificate], error)
	// CountServerCertificates returns the number of server certificates.
	CountServerCertificates(account string) (int, error)

	// UploadSigningCertificate stores a certificate of c.UserName ("" for
	// root). ErrAlreadyExists if the id is taken; ErrNotFound (KindUser).
	UploadSigningCertificate(c SigningCertificate) error
	// ListSigningCertificates lists the user's certificates, by id.
	ListSigningCertificates(account, user string, opts ListOptions) (Page[SigningCertificate], error)
	// CountSigningCertificates returns the number the user has.
	CountSigningCertificates(account, user string) (int, error)
	// UpdateSigningCertificateStatus sets the status; the certificate
	// must be the user's, else ErrNotFound.
	UpdateSigningCertificateStatus(account, user, id string, status AccessKeyStatus) error
	// DeleteSigningCertificate deletes the user's certificate.
	DeleteSigningCertificate(account, user, id string) error

	// UploadSSHPublicKey stores a key of k.UserName.
	UploadSSHPublicKey(k SSHPublicKey) error
	// GetSSHPublicKey returns the user's key, or ErrNotFound.
	GetSSHPublicKey(account, user, id string) (SSHPublicKey, error)
	// ListSSHPublicKeys lists the user's keys, by id.
	ListSSHPublicKeys(account, user string, opts ListOptions) (Page[SSHPublicKey], error)
	// CountSSHPublicKeys returns the number the user has.
	CountSSHPublicKeys(account, user string) (int, error)
	// UpdateSSHPublicKeyStatus sets the status of the user's key.
	UpdateSSHPublicKeyStatus(account, user, id string, status AccessKeyStatus) error
	// DeleteSSHPublicKey deletes the user's key.
	DeleteSSHPublicKey(account, user, id string) error

	// CreateServiceSpecificCredential stores a credential of c.UserName.
	CreateServiceSpecificCredential(c ServiceSpecificCredential) error
	// GetServiceSpecificCredential returns the user's credential, or
	// ErrNotFound.
	GetServiceSpecificCredential(account, user, id string) (ServiceSpecificCredential, error)
	// ListServiceSpecificCredentials lists the user's credentials (every
	// user's in the account when user is ""), for one service when
	// serviceName is set, ordered by id.
	ListServiceSpecificCredentials(account, user, serviceName string, opts ListOptions) (Page[ServiceSpecificCredential], error)
	// CountServiceSpecificCredentials counts the user's credentials for
	// the service (AWS's quota is two per service).
	CountServiceSpecificCredentials(account, user, serviceName string) (int, error)
	// UpdateServiceSpecificCredentialStatus sets the status.
	UpdateServiceSpecificCredentialStatus(account, user, id string, status AccessKeyStatus) error
	// ResetServiceSpecificCredential replaces the sealed password.
	ResetServiceSpecificCredential(account, user, id string, password []byte) error
	// DeleteServiceSpecificCredential deletes the user's credential.
	DeleteServiceSpecificCredential(account, user, id string) error
}
