package store

// SealedColumn names a place in the store that holds sealed secrets: what
// a master-key rotation must walk to re-seal everything under the new key.
type SealedColumn string

// The columns that hold ciphertexts of package seal. Each ciphertext is
// bound to its row by associated data, which SealedSecret carries.
const (
	// SealedAccessKeySecrets are secret access keys (associated data: the
	// access key id).
	SealedAccessKeySecrets SealedColumn = "access_keys.secret"
	// SealedSessionSecrets are the secret keys of STS sessions
	// (associated data: the session's access key id).
	SealedSessionSecrets SealedColumn = "sessions.secret"
	// SealedMFASeeds are TOTP seeds of virtual MFA devices (associated
	// data: the serial number).
	SealedMFASeeds SealedColumn = "mfa_devices.seed"
	// SealedServerCertificateKeys are server certificates' private keys
	// (associated data: the certificate id).
	SealedServerCertificateKeys SealedColumn = "server_certificates.private_key"
	// SealedServiceCredentialPasswords are service-specific credentials'
	// passwords (associated data: the credential id).
	SealedServiceCredentialPasswords SealedColumn = "service_credentials.password"
	// SealedSAMLPrivateKeys are SAML providers' assertion decryption keys,
	// several per provider (associated data: the key id).
	SealedSAMLPrivateKeys SealedColumn = "saml_providers.private_keys"
)

// SealedColumns lists every column that holds sealed secrets, so that a
// rotation that walks them all misses none.
func SealedColumns() []SealedColumn {
	return []SealedColumn{
		SealedAccessKeySecrets,
		SealedSessionSecrets,
		SealedMFASeeds,
		SealedServerCertificateKeys,
		SealedServiceCredentialPasswords,
		SealedSAMLPrivateKeys,
	}
}

// SealedSecret is one stored ciphertext and what identifies it.
type SealedSecret struct {
	Column SealedColumn
	// ID is the row's primary key (access key id, serial number,
	// certificate id, credential id, SAML provider ARN).
	ID string
	// Item is the key id within a SAML provider's list of private keys;
	// empty for the other columns, which hold one secret per row.
	Item string
	// Ciphertext is the sealed secret as stored.
	Ciphertext []byte
	// AssociatedData is what the secret was sealed with (see the column
	// constants), so that it can be opened and re-sealed without knowing
	// each column's convention.
	AssociatedData []byte
}

// Sealed is the family of methods a master-key rotation uses to find and
// rewrite every sealed secret, whatever entity holds it.
type Sealed interface {
	// ListSealed returns one page of the secrets of a column, ordered by
	// row id. MaxItems counts rows: a SAML provider's keys come together
	// in one page. An unknown column is ErrInvalidArgument.
	ListSealed(column SealedColumn, opts ListOptions) (Page[SealedSecret], error)
	// ReplaceSealed stores sealed in place of s.Ciphertext if the row (and
	// item) still holds exactly s.Ciphertext, and reports whether it did.
	// It is a compare-and-swap: a secret changed or deleted since it was
	// listed is left alone (false, nil), so a concurrent change is never
	// overwritten with a re-sealed old value.
	ReplaceSealed(s SealedSecret, sealed []byte) (bool, error)
}

// KindSealedSecret names sealed secrets in errors of the Sealed methods.
const KindSealedSecret Kind = "sealed secret"
