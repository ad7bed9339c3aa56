-- Issue 5: login profiles, account password policies, credential reports.

CREATE TABLE login_profiles (
	user_id {{TEXT}} PRIMARY KEY REFERENCES users (id),
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	password_hash {{BLOB}} NOT NULL,
	reset_required BIGINT NOT NULL,
	created BIGINT NOT NULL,
	password_changed BIGINT
) {{WITHOUT_ROWID}};

CREATE TABLE password_policies (
	account {{TEXT}} PRIMARY KEY REFERENCES accounts (id),
	minimum_length BIGINT NOT NULL,
	require_symbols BIGINT NOT NULL,
	require_numbers BIGINT NOT NULL,
	require_uppercase BIGINT NOT NULL,
	require_lowercase BIGINT NOT NULL,
	allow_users_to_change BIGINT NOT NULL,
	max_age BIGINT NOT NULL,
	reuse_prevention BIGINT NOT NULL,
	hard_expiry BIGINT NOT NULL
) {{WITHOUT_ROWID}};

CREATE TABLE credential_reports (
	account {{TEXT}} PRIMARY KEY REFERENCES accounts (id),
	generated BIGINT NOT NULL,
	content {{BLOB}} NOT NULL
) {{WITHOUT_ROWID}};
