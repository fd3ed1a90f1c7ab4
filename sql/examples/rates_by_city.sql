-- 合格率 of websites per city and quarter, counties rolled up into their city. The rate is over judged sites
-- (合格 + 不合格); 待定 sites are counted apart, and a city with none judged has no rate (NULL).
SELECT period, substr(region_code, 1, 4) || '00' AS city_code,
       SUM(checked) AS checked, SUM(qualified) AS qualified, SUM(failed) AS failed, SUM(pending) AS pending,
       1.0 * SUM(qualified) / NULLIF(SUM(judged), 0) AS rate
FROM v_rates_region_quarter
WHERE target_kind = 'website'
GROUP BY period, substr(region_code, 1, 4) || '00'
ORDER BY period, city_code;
