-- 合格率 of the websites per region against the previous quarter (change only where that quarter was judged).
SELECT period, region_name, checked, pending, ROUND(100 * rate, 2) AS rate_pct, prev_period,
       ROUND(100 * prev_rate, 2) AS prev_rate_pct, ROUND(100 * change, 2) AS change_points
FROM v_rates_trend
WHERE target_kind = 'website' AND period = '2021Q1'
ORDER BY region_code;
