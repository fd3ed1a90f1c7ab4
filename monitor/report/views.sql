-- Views for analysts (created by migrations 0002, 0003, 0006 and 0008; portable between PostgreSQL and SQLite, so both
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
-- 责任部门: one row per registered target with the unit responsible for it (a website's 主办单位, else its own name;
-- an account's 运营主体), its region, level and kind. The views below take names and units from here.
CREATE VIEW v_responsible_units AS
SELECT 'website' AS target_kind, w.site_code AS target_id, w.name, w.region_code, w.region_name, w.level, w.kind,
       COALESCE(NULLIF(w.sponsor, ''), w.name) AS unit
FROM websites w
UNION ALL
SELECT 'account', a.platform || ':' || a.account, a.name, a.region_code, COALESCE(r.name, ''),
       COALESCE(r.level, ''), a.platform, a.owner_unit
FROM accounts a
LEFT JOIN regions r ON r.code = a.region_code;
-- end
-- 待定 counts per quarter, region, level and kind (portal / department, or the platform of an account): how many
-- targets could not be read or judged, beside how many were checked.
CREATE VIEW v_pending_counts AS
SELECT v.period, v.target_kind, v.region_code, COALESCE(u.region_name, r.name, '') AS region_name,
       COALESCE(u.level, r.level, '') AS level, COALESCE(u.kind, '') AS kind,
       COUNT(*) AS checked, SUM(CASE WHEN v.result = '待定' THEN 1 ELSE 0 END) AS pending
FROM verdicts v
LEFT JOIN v_responsible_units u ON u.target_kind = v.target_kind AND u.target_id = v.target_id
LEFT JOIN regions r ON r.code = v.region_code
GROUP BY v.period, v.target_kind, v.region_code, COALESCE(u.region_name, r.name, ''), COALESCE(u.level, r.level, ''),
         COALESCE(u.kind, '');
-- end
-- Per-unit problem lists: one row per quarter, unit and problem (a failing indicator) with the targets' names
-- ('、'-separated, as the notices list them). A column's own 责任部门 (site_columns.unit) comes before the site's.
-- string_agg is PostgreSQL's; on SQLite the statement runs with group_concat (monitor/report/views.py).
CREATE VIEW v_unit_problems AS
SELECT period, region_code, region_name, unit, indicator, MIN(reason) AS problem, COUNT(*) AS targets,
       string_agg(name, '、') AS target_names
FROM (SELECT f.period, u.region_code, u.region_name, COALESCE(NULLIF(c.unit, ''), u.unit) AS unit, f.indicator,
             MIN(f.reason) AS reason, u.name
      FROM findings f
      JOIN v_responsible_units u ON u.target_kind = f.target_kind AND u.target_id = f.target_id
      LEFT JOIN site_columns c ON f.target_kind = 'website' AND c.site_code = f.target_id AND c.url = f.subject
      WHERE f.outcome = 'fail'
      GROUP BY f.period, u.region_code, u.region_name, COALESCE(NULLIF(c.unit, ''), u.unit), f.indicator, u.name,
               u.target_id
      ORDER BY u.name) per_target
GROUP BY period, region_code, region_name, unit, indicator;
-- end
-- 合格率 per directly registered region and quarter with the previous quarter beside (NULL where that quarter has
-- no verdicts or nothing judged: no change is shown then).
CREATE VIEW v_rates_trend AS
SELECT c.period, c.target_kind, c.region_code, COALESCE(r.name, '') AS region_name, c.checked, c.judged, c.pending,
       c.rate, p.period AS prev_period, p.rate AS prev_rate, c.rate - p.rate AS change
FROM v_rates_region_quarter c
LEFT JOIN regions r ON r.code = c.region_code
LEFT JOIN v_rates_region_quarter p
  ON p.target_kind = c.target_kind AND p.region_code = c.region_code
 AND p.period = CASE WHEN substr(c.period, 6, 1) = '1'
                     THEN CAST(CAST(substr(c.period, 1, 4) AS INTEGER) - 1 AS VARCHAR(4)) || 'Q4'
                     ELSE substr(c.period, 1, 5) || CAST(CAST(substr(c.period, 6, 1) AS INTEGER) - 1 AS VARCHAR(1))
                END;
-- end
-- The state of each violation after a notice: fixed (已整改: resolved by a later check), re-checked (复查仍存在: seen
-- again by a check after the first), open (未复查: seen once, not checked since), false positive (误报, a reviewer's
-- word), with the target, its region and 责任部门.
CREATE VIEW v_violation_states AS
SELECT v.id, v.target_kind, v.target_id, u.name AS site_name, u.region_code, u.region_name, u.unit, v.indicator,
       v.subject, v.reason, v.review, v.first_seen, v.last_seen, v.resolved_at,
       CASE WHEN v.review = 'false_positive' THEN 'false_positive'
            WHEN v.resolved_at IS NOT NULL THEN 'fixed'
            WHEN v.last_seen > v.first_seen THEN 'rechecked'
            ELSE 'open' END AS state,
       CASE WHEN v.review = 'false_positive' THEN '误报'
            WHEN v.resolved_at IS NOT NULL THEN '已整改'
            WHEN v.last_seen > v.first_seen THEN '复查仍存在'
            ELSE '未复查' END AS state_label
FROM violations v
LEFT JOIN v_responsible_units u ON u.target_kind = v.target_kind AND u.target_id = v.target_id;
-- end
