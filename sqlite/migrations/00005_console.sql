-- Console: what its pages read through. Intake writes every incident and
-- every audit line, so nothing here adds to what a new report costs: the
-- indexes are partial, over rows intake does not write.

-- +goose Up
-- The dashboard reads the incidents closed since it last looked; a new
-- incident is not closed, so intake does not write to this index.
CREATE INDEX incidents_closed ON incidents (status, updated_at) WHERE status = 'closed';
-- The communications office lists the incidents cleared for publication,
-- newest first: a few among a year of incidents.
CREATE INDEX incidents_cleared ON incidents (id) WHERE cleared_at IS NOT NULL;

-- When each incident first reached each response stage (ms), kept as the
-- stages are reached: the dashboard reads a month of response times from
-- the incidents alone, not from their whole timelines. Filled here from
-- the timelines and assignments of the incidents already stored.
ALTER TABLE incidents ADD COLUMN acknowledged_at INTEGER;
ALTER TABLE incidents ADD COLUMN dispatched_at INTEGER;
ALTER TABLE incidents ADD COLUMN on_scene_at INTEGER;
ALTER TABLE incidents ADD COLUMN resolved_at INTEGER;
UPDATE incidents SET acknowledged_at = (SELECT min(t.at) FROM timeline t WHERE t.incident_id = incidents.id AND t.kind = 'status.changed'
	AND t.to_status IN ('triaged', 'dispatched', 'en_route', 'on_scene', 'resolved', 'closed'));
UPDATE incidents SET dispatched_at = (SELECT min(t.at) FROM timeline t WHERE t.incident_id = incidents.id AND t.kind = 'status.changed'
	AND t.to_status IN ('dispatched', 'en_route', 'on_scene'));
UPDATE incidents SET on_scene_at = (SELECT min(t.at) FROM timeline t WHERE t.incident_id = incidents.id AND t.kind = 'status.changed'
	AND t.to_status = 'on_scene');
UPDATE incidents SET resolved_at = (SELECT min(t.at) FROM timeline t WHERE t.incident_id = incidents.id AND t.kind = 'status.changed'
	AND t.to_status IN ('resolved', 'closed'));
UPDATE incidents SET dispatched_at = a.first FROM (SELECT incident_id, min(assigned_at) AS first FROM assignments GROUP BY incident_id) a
	WHERE a.incident_id = incidents.id AND (incidents.dispatched_at IS NULL OR a.first < incidents.dispatched_at);
UPDATE incidents SET on_scene_at = a.first FROM (SELECT incident_id, min(on_scene_at) AS first FROM assignments
	WHERE on_scene_at IS NOT NULL GROUP BY incident_id) a
	WHERE a.incident_id = incidents.id AND (incidents.on_scene_at IS NULL OR a.first < incidents.on_scene_at);

-- +goose Down
DROP INDEX incidents_cleared;
DROP INDEX incidents_closed;
ALTER TABLE incidents DROP COLUMN resolved_at;
ALTER TABLE incidents DROP COLUMN on_scene_at;
ALTER TABLE incidents DROP COLUMN dispatched_at;
ALTER TABLE incidents DROP COLUMN acknowledged_at;
