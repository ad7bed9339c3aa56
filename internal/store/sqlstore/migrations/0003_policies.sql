-- Issue 5: customer managed policies and their versions.

CREATE TABLE policies (
	id {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	name {{TEXT}} NOT NULL,
	name_fold {{TEXT}} NOT NULL,
	path {{TEXT}} NOT NULL,
	arn {{TEXT}} NOT NULL UNIQUE,
	description {{TEXT}},
	created BIGINT NOT NULL,
	updated BIGINT NOT NULL,
	-- The default version's number, and the number the next version gets
	-- (AWS never reuses a version id).
	default_version BIGINT NOT NULL,
	next_version BIGINT NOT NULL,
	UNIQUE (account, name_fold)
) {{WITHOUT_ROWID}};

CREATE INDEX policies_by_path ON policies (account, path, name_fold);

CREATE TABLE policy_versions (
	policy_id {{TEXT}} NOT NULL REFERENCES policies (id),
	version BIGINT NOT NULL,
	account {{TEXT}} NOT NULL,
	document {{TEXT}} NOT NULL,
	created BIGINT NOT NULL,
	PRIMARY KEY (policy_id, version)
) {{WITHOUT_ROWID}};

-- PermissionsBoundaryUsageCount counts users and roles by boundary.
CREATE INDEX users_by_boundary ON users (account, boundary);
CREATE INDEX roles_by_boundary ON roles (account, boundary);
