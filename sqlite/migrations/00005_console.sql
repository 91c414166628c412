-- Console: the indexes its pages read through.

-- +goose Up
-- The dashboard's trends count a year of incidents per hour and zone: with
-- the zone and the status in the index, the count is answered from the
-- index alone instead of visiting every row of the year.
CREATE INDEX incidents_created_zone ON incidents (created_at, zone_code, status);
DROP INDEX incidents_created;
-- The auditor filters the trail by action.
CREATE INDEX audit_log_action ON audit_log (action, id);

-- +goose Down
DROP INDEX audit_log_action;
CREATE INDEX incidents_created ON incidents (created_at);
DROP INDEX incidents_created_zone;
