-- Open violations per site and indicator, oldest first.
SELECT site_name, region_name, indicator, reason, subject, first_seen, last_seen, review
FROM v_open_violations
ORDER BY first_seen, site_name;
