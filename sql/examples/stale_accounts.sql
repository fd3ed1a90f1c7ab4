-- New-media accounts whose newest post, as the latest reading saw it, is older than 14 days before the reading
-- (内容不更新). Unreadable readings (login walls, deleted pages …) are listed apart by their outcome.
SELECT r.platform, r.name, r.owner_unit, r.region_code, r.outcome, r.fetched_at, r.newest_post_at
FROM v_account_readings r
WHERE r.run_as_of = (SELECT MAX(x.run_as_of) FROM v_account_readings x
                     WHERE x.platform = r.platform AND x.account = r.account)
  AND (r.outcome <> 'ok' OR r.newest_post_at IS NULL OR r.newest_post_at < r.fetched_at - INTERVAL '14 days')
ORDER BY r.outcome, r.region_code, r.platform, r.name;
