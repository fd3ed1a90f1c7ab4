-- Views for analysts (created by migration 0002_analyst_views; portable between PostgreSQL and SQLite, so both
-- back ends get them). Each statement ends with a line holding only the end marker below (a comment, so the file
-- runs as it is in psql). A change here reaches existing databases only through a new migration that drops and
-- re-creates the views (monitor.report.views.drop_views / create_views).

-- Open violations with site, region, indicator and evidence: what is wrong now and since when.
CREATE VIEW v_open_violations AS
SELECT v.id, v.target_kind, v.target_id, w.name AS site_name, w.region_code, w.region_name, w.kind AS site_kind,
       v.indicator, v.subject, v.reason, v.review, v.first_seen, v.last_seen, v.evidence
FROM violations v
LEFT JOIN websites w ON v.target_kind = 'website' AND w.site_code = v.target_id
WHERE v.resolved_at IS NULL AND v.review <> 'false_positive';
-- end
-- One row per target and quarter: the verdict, with the registry's name, region and kind.
CREATE VIEW v_verdicts_quarter AS
SELECT v.period, v.as_of, v.target_kind, v.target_id,
       COALESCE(w.name, a.name) AS name, v.region_code, COALESCE(w.region_name, '') AS region_name,
       COALESCE(w.kind, a.platform) AS kind, v.result, v.veto, v.score, v.reasons
FROM verdicts v
LEFT JOIN websites w ON v.target_kind = 'website' AND w.site_code = v.target_id
LEFT JOIN accounts a ON v.target_kind = 'account' AND a.platform || ':' || a.account = v.target_id;
-- end
-- 合格率 per directly registered region and quarter (roll-ups to city and province: see sql/README.md).
-- 合格率 is over the judged targets (合格 + 不合格); 待定 ones are counted apart and never as 合格. With nothing judged
-- the rate is NULL, not 100 %.
CREATE VIEW v_rates_region_quarter AS
SELECT period, target_kind, region_code,
       COUNT(*) AS checked,
       SUM(CASE WHEN result = '合格' THEN 1 ELSE 0 END) AS qualified,
       SUM(CASE WHEN result = '不合格' THEN 1 ELSE 0 END) AS failed,
       SUM(CASE WHEN result = '待定' THEN 1 ELSE 0 END) AS pending,
       SUM(CASE WHEN result IN ('合格', '不合格') THEN 1 ELSE 0 END) AS judged,
       1.0 * SUM(CASE WHEN result = '合格' THEN 1 ELSE 0 END)
           / NULLIF(SUM(CASE WHEN result IN ('合格', '不合格') THEN 1 ELSE 0 END), 0) AS rate
FROM verdicts
GROUP BY period, target_kind, region_code;
