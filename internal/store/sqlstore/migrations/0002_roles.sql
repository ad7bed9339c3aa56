-- Issue 5: roles, their policies, service-linked role deletion tasks.

CREATE TABLE roles (
	id {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	name {{TEXT}} NOT NULL,
	name_fold {{TEXT}} NOT NULL,
	path {{TEXT}} NOT NULL,
	created BIGINT NOT NULL,
	assume_role_policy {{TEXT}} NOT NULL,
	description {{TEXT}},
	max_session_duration BIGINT NOT NULL,
	boundary {{TEXT}},
	last_used BIGINT,
	last_used_region {{TEXT}},
	UNIQUE (account, name_fold)
) {{WITHOUT_ROWID}};

CREATE INDEX roles_by_path ON roles (account, path, name_fold);

-- Roles hold policies like users and groups.
ALTER TABLE policy_attachments ADD COLUMN role_id {{TEXT}} REFERENCES roles (id);
CREATE INDEX policy_attachments_by_role ON policy_attachments (role_id);
ALTER TABLE inline_policies ADD COLUMN role_id {{TEXT}} REFERENCES roles (id);
CREATE INDEX inline_policies_by_role ON inline_policies (role_id);

CREATE TABLE role_deletion_tasks (
	id {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	role_name {{TEXT}} NOT NULL,
	status {{TEXT}} NOT NULL,
	reason {{TEXT}},
	created BIGINT NOT NULL
) {{WITHOUT_ROWID}};

CREATE INDEX role_deletion_tasks_by_account ON role_deletion_tasks (account);
