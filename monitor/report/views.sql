-- Views for analysts (created by migration 0002_analyst_views; portable between PostgreSQL and SQLite, so both
-- back ends get them). Each statement ends with a line holding only the end marker below (a comment, so the file
-- runs as it is in psql). A change here reaches existing databases only through a new migration that drops and
-- re-creates the views (monitor.report.views.drop_views / create_views).

-- Open violations with target, region, indicator and evidence: what is wrong now and since when (websites and
-- new-media accounts; site_kind is the platform for an account).
CREATE VIEW v_open_violations AS
SELECT v.id, v.target_kind, v.target_id, COALESCE(w.name, a.name) AS site_name,
       COALESCE(w.region_code, a.region_code) AS region_code, COALESCE(w.region_name, '') AS region_name,
       COALESCE(w.kind, a.platform) AS site_kind,
       v.indicator, v.subject, v.reason, v.review, v.first_seen, v.last_seen, v.evidence
FROM violations v
LEFT JOIN websites w ON v.target_kind = 'website' AND w.site_code = v.target_id
LEFT JOIN accounts a ON v.target_kind = 'account' AND a.platform || ':' || a.account = v.target_id
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
-- end
-- One row per reading of a new-media account (a crawl or an imported export): what it showed and its newest post.
CREATE VIEW v_account_readings AS
SELECT c.run_id, r.as_of AS run_as_of, c.platform, c.account, a.name, a.owner_unit, a.region_code, c.source,
       c.fetched_at, c.outcome, c.display_name, c.verified_subject, c.followable, c.post_count,
       (SELECT MAX(p.published_at) FROM account_posts p
         WHERE p.run_id = c.run_id AND p.platform = c.platform AND p.account = c.account
           AND p.published_at <= c.fetched_at) AS newest_post_at
FROM account_checks c
JOIN runs r ON r.run_id = c.run_id
LEFT JOIN accounts a ON a.platform = c.platform AND a.account = c.account;
-- end
-- One row per published citizen letter as a channels run read it, with its site, region and channel kind.
CREATE VIEW v_letters AS
SELECT l.run_id, r.as_of AS run_as_of, l.site_code, w.name AS site_name, w.region_code, ch.name AS channel_name,
       ch.kind AS channel_kind, COALESCE(ch.unit, l.unit, w.sponsor) AS unit, l.url, l.title, l.category,
       l.received_at, l.answered_at, l.answered, l.status
FROM letters l
JOIN runs r ON r.run_id = l.run_id
LEFT JOIN websites w ON w.site_code = l.site_code
LEFT JOIN channels ch ON ch.site_code = l.site_code AND ch.url = l.channel_url;
-- end
