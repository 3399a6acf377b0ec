-- Passwords move from PBKDF2 (password_hash/salt/iter, kept for users who have not
-- signed in since) to argon2id in PHC string form; a successful sign-in upgrades a row
-- and clears the old columns. SCRAM keys (RFC 5802) are kept per user and mechanism.
ALTER TABLE users ADD COLUMN password_phc TEXT;

CREATE TABLE user_scram (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    mechanism   TEXT    NOT NULL, -- 'SCRAM-SHA-1' or 'SCRAM-SHA-256'
    salt        BLOB    NOT NULL,
    iterations  INTEGER NOT NULL,
    stored_key  BLOB    NOT NULL,
    server_key  BLOB    NOT NULL,
    PRIMARY KEY (user_id, mechanism)
) WITHOUT ROWID;
