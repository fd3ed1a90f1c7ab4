-- A quarter's problems per 责任部门, with the sites named (the notice's 二、主要问题).
SELECT region_name, unit, problem, targets, target_names
FROM v_unit_problems
WHERE period = '2021Q1'
ORDER BY region_code, unit, indicator;
