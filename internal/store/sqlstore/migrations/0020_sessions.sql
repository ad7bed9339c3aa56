-- Issue 6: STS sessions (temporary credentials). A session is immutable;
-- role and user references are plain values, not foreign keys, because a
-- session outlives the deletion of its role or user (and then has no
-- permissions). Lists are JSON arrays.

CREATE TABLE sessions (
	access_key_id {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	type {{TEXT}} NOT NULL,
	secret {{BLOB}} NOT NULL,
	token_hash {{BLOB}} NOT NULL,
	issued BIGINT NOT NULL,
	expires BIGINT NOT NULL,
	role_id {{TEXT}},
	role_name {{TEXT}},
	role_path {{TEXT}},
	name {{TEXT}},
	user_id {{TEXT}},
	user_name {{TEXT}},
	user_path {{TEXT}},
	policy {{TEXT}},
	policy_arns {{TEXT}} NOT NULL,
	tags {{TEXT}} NOT NULL,
	transitive_tag_keys {{TEXT}} NOT NULL,
	source_identity {{TEXT}},
	chained BIGINT NOT NULL,
	federated_provider {{TEXT}},
	mfa BIGINT NOT NULL,
	mfa_time BIGINT
) {{WITHOUT_ROWID}};

CREATE INDEX sessions_by_expiry ON sessions (expires);
CREATE INDEX sessions_by_account ON sessions (account);
