-- Failing columns of a quarter with the unit responsible (the notice's 存在问题栏目名单).
SELECT f.period, w.name AS site_name, c.unit, COALESCE(c.path, c.name) AS column_path, f.reason, f.observed
FROM findings f
JOIN websites w ON w.site_code = f.target_id
LEFT JOIN site_columns c ON c.site_code = f.target_id AND c.url = f.subject
WHERE f.period = '2021Q1' AND f.indicator IN ('column_stale', 'column_blank') AND f.outcome = 'fail'
  AND f.subject <> ''
ORDER BY w.region_code, site_name;
