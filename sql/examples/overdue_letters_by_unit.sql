-- 附件4 of a quarter: per unit, the letters the evaluation judged answered after their working-day deadline (or not
-- at all), and the on-time rate over the letters judged. Reviewers' false positives are left out.
SELECT f.evidence ->> 'unit' AS unit,
       SUM(CASE WHEN f.outcome = 'fail' THEN 1 ELSE 0 END) AS overdue,
       COUNT(*) AS judged,
       ROUND(100.0 * SUM(CASE WHEN f.outcome = 'pass' THEN 1 ELSE 0 END) / COUNT(*), 2) AS on_time_pct
FROM findings f
LEFT JOIN violations v ON v.target_kind = f.target_kind AND v.target_id = f.target_id
     AND v.indicator = f.indicator AND v.subject = f.subject
WHERE f.period = '2021Q1' AND f.indicator = 'letter_timeliness' AND f.subject <> ''
  AND f.outcome IN ('pass', 'fail') AND (v.review IS NULL OR v.review <> 'false_positive')
GROUP BY f.evidence ->> 'unit'
HAVING SUM(CASE WHEN f.outcome = 'fail' THEN 1 ELSE 0 END) > 0
ORDER BY overdue DESC, unit;
