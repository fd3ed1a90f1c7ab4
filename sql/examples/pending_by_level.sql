-- 待定 per quarter, level and kind: where targets could not be read or judged (re-check them before the notice).
SELECT period, level, kind, SUM(checked) AS checked, SUM(pending) AS pending
FROM v_pending_counts
WHERE period = '2021Q1'
GROUP BY period, level, kind
ORDER BY pending DESC, level, kind;
