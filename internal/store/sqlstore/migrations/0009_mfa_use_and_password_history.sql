-- Virtual MFA devices remember the time step of the last code they
-- accepted (replay refusal across requests and restarts) and the clock
-- drift EnableMFADevice and ResyncMFADevice measured; both survive
-- deactivation.
ALTER TABLE mfa_devices ADD COLUMN last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mfa_devices ADD COLUMN drift BIGINT NOT NULL DEFAULT 0;

-- Login profiles remember the hashes of previous passwords, newest first,
-- at most 24 (PasswordReusePrevention's maximum), packed in one value
-- that lives and dies with the profile's row (sqlstore/login.go).
ALTER TABLE login_profiles ADD COLUMN password_history {{BLOB}};
