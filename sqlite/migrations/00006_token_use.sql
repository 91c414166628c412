-- When each API token was last used (Unix ms), so that an admin can find
-- and revoke the tokens nobody uses. Written from memory every minute, not
-- on each request.

-- +goose Up
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN last_used_at;
