-- Days from first seen to resolved, per indicator (PostgreSQL).
SELECT indicator, COUNT(*) AS resolved,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM resolved_at - first_seen) / 86400) AS median_days
FROM violations
WHERE resolved_at IS NOT NULL
GROUP BY indicator
ORDER BY median_days DESC;
