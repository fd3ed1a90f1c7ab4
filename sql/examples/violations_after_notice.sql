-- After a notice: how many violations per unit are still open (未复查), re-checked and still there (复查仍存在) or
-- fixed (已整改); false positives left out.
SELECT region_name, unit,
       SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END) AS open,
       SUM(CASE WHEN state = 'rechecked' THEN 1 ELSE 0 END) AS rechecked,
       SUM(CASE WHEN state = 'fixed' THEN 1 ELSE 0 END) AS fixed
FROM v_violation_states
WHERE state <> 'false_positive'
GROUP BY region_code, region_name, unit
ORDER BY SUM(CASE WHEN state IN ('open', 'rechecked') THEN 1 ELSE 0 END) DESC, unit;
