-- SetSecurityTokenServicePreferences: the version of session tokens STS's
-- global endpoint issues for the account (1, AWS's default, or 2).
ALTER TABLE accounts ADD COLUMN global_endpoint_token_version BIGINT NOT NULL DEFAULT 1;
