-- Issue 5: OpenID Connect and SAML identity providers. Lists (client ids,
-- thumbprints, private keys) are JSON arrays in text columns: they are
-- small, read and written whole, and never queried by element.

CREATE TABLE oidc_providers (
	arn {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	url {{TEXT}} NOT NULL,
	client_ids {{TEXT}} NOT NULL,
	thumbprints {{TEXT}} NOT NULL,
	created BIGINT NOT NULL
) {{WITHOUT_ROWID}};

CREATE INDEX oidc_providers_by_account ON oidc_providers (account, arn);

CREATE TABLE saml_providers (
	arn {{TEXT}} PRIMARY KEY,
	account {{TEXT}} NOT NULL REFERENCES accounts (id),
	name {{TEXT}} NOT NULL,
	name_fold {{TEXT}} NOT NULL,
	uuid {{TEXT}} NOT NULL,
	metadata {{TEXT}} NOT NULL,
	valid_until BIGINT,
	created BIGINT NOT NULL,
	encryption_mode {{TEXT}},
	private_keys {{TEXT}} NOT NULL,
	UNIQUE (account, name_fold)
) {{WITHOUT_ROWID}};

CREATE INDEX saml_providers_by_account ON saml_providers (account, arn);
