-- 合格率 of websites per city and quarter, counties rolled up into their city.
SELECT period, substr(region_code, 1, 4) || '00' AS city_code,
       SUM(checked) AS checked, SUM(failed) AS failed,
       1.0 * (SUM(checked) - SUM(failed)) / SUM(checked) AS rate
FROM v_rates_region_quarter
WHERE target_kind = 'website'
GROUP BY period, substr(region_code, 1, 4) || '00'
ORDER BY period, city_code;
