-- Issue 5: server certificates, signing certificates, SSH public keys and
-- service-specific credentials.

CREATE TABLE server_certificates (
	id {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	name {{TEXT}} NOT NULL,
	name_fold {{TEXT}} NOT NULL,
	path {{TEXT}} NOT NULL,
	arn {{TEXT}} NOT NULL UNIQUE,
	body {{TEXT}} NOT NULL,
	chain {{TEXT}},
	private_key {{BLOB}} NOT NULL,
	uploaded BIGINT NOT NULL,
	expiration BIGINT NOT NULL,
	UNIQUE (account, name_fold)
) {{WITHOUT_ROWID}};

CREATE INDEX server_certificates_by_path ON server_certificates (account, path, name_fold);

-- user_id NULL: a certificate of the account's root user.
CREATE TABLE signing_certificates (
	id {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	user_id {{TEXT}} REFERENCES users (id),
	body {{TEXT}} NOT NULL,
	status {{TEXT}} NOT NULL CHECK (status IN ('Active', 'Inactive')),
	uploaded BIGINT NOT NULL
) {{WITHOUT_ROWID}};

CREATE INDEX signing_certificates_by_user ON signing_certificates (user_id, account, id);

CREATE TABLE ssh_public_keys (
	id {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	user_id {{TEXT}} NOT NULL REFERENCES users (id),
	body {{TEXT}} NOT NULL,
	fingerprint {{TEXT}} NOT NULL,
	status {{TEXT}} NOT NULL CHECK (status IN ('Active', 'Inactive')),
	uploaded BIGINT NOT NULL
) {{WITHOUT_ROWID}};

CREATE INDEX ssh_public_keys_by_user ON ssh_public_keys (user_id, id);

CREATE TABLE service_credentials (
	id {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	user_id {{TEXT}} NOT NULL REFERENCES users (id),
	service_name {{TEXT}} NOT NULL,
	service_user_name {{TEXT}} NOT NULL,
	alias {{TEXT}},
	password {{BLOB}} NOT NULL,
	status {{TEXT}} NOT NULL CHECK (status IN ('Active', 'Inactive')),
	created BIGINT NOT NULL,
	expiration BIGINT
) {{WITHOUT_ROWID}};

CREATE INDEX service_credentials_by_user ON service_credentials (user_id, id);
CREATE INDEX service_credentials_by_account ON service_credentials (account, id);
