-- Issue 5: instance profiles, each with at most one role.

CREATE TABLE instance_profiles (
	id {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	name {{TEXT}} NOT NULL,
	name_fold {{TEXT}} NOT NULL,
	path {{TEXT}} NOT NULL,
	created BIGINT NOT NULL,
	role_id {{TEXT}} REFERENCES roles (id),
	UNIQUE (account, name_fold)
) {{WITHOUT_ROWID}};

CREATE INDEX instance_profiles_by_path ON instance_profiles (account, path, name_fold);
CREATE INDEX instance_profiles_by_role ON instance_profiles (role_id, name_fold);
