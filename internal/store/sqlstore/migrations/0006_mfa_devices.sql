-- Issue 5: virtual MFA devices. A device is unassigned, assigned to a
-- user (user_id), or assigned to the account's root user (root = 1).

CREATE TABLE mfa_devices (
	serial {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	name {{TEXT}} NOT NULL,
	name_fold {{TEXT}} NOT NULL,
	path {{TEXT}} NOT NULL,
	seed {{BLOB}} NOT NULL,
	created BIGINT NOT NULL,
	user_id {{TEXT}} REFERENCES users (id),
	root BIGINT NOT NULL,
	enabled BIGINT,
	UNIQUE (account, name_fold),
	CHECK (root = 0 OR user_id IS NULL)
) {{WITHOUT_ROWID}};

CREATE INDEX mfa_devices_by_user ON mfa_devices (user_id, serial);
CREATE INDEX mfa_devices_by_account ON mfa_devices (account, serial);
