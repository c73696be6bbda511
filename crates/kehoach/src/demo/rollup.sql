-- Plain SQL roll-up over raw activities (PostgreSQL; `cargo xtask bench` runs it in DuckDB
-- too, with the parameters inlined). $1 = evaluation date, $2 = first day of the plan year.
WITH per_period AS (
  SELECT a.province_id, a.id AS assignment_id, t.id AS target_id, t.count, t.per,
         CAST(date_trunc(t.per, CAST(x.occurred_on AS TIMESTAMP)) AS DATE) AS start,
         SUM(x.quantity) AS achieved,
         SUM(CASE WHEN CAST((x.recorded_at AT TIME ZONE 'UTC') + INTERVAL '7 hours' AS DATE)
                  <= CAST(date_trunc(t.per, CAST(x.occurred_on AS TIMESTAMP))
                          + CASE t.per WHEN 'week' THEN INTERVAL '7 days' WHEN 'month' THEN INTERVAL '1 month'
                                       WHEN 'quarter' THEN INTERVAL '3 months' ELSE INTERVAL '1 year' END
                          + INTERVAL '6 days' AS DATE)
              THEN x.quantity ELSE 0 END) AS on_time
  FROM activities x JOIN assignments a ON a.id = x.assignment_id JOIN targets t ON t.task_id = a.task_id
  WHERE t.per IN ('week', 'month', 'quarter', 'year')
  GROUP BY 1, 2, 3, 4, 5, 6),
periods AS (
  SELECT 'week' AS per, CAST(g AS DATE) AS start, CAST(g + INTERVAL '7 days' AS DATE) AS next
    FROM generate_series(CAST(date_trunc('week', CAST($2 AS TIMESTAMP)) AS TIMESTAMP), CAST($1 AS TIMESTAMP), INTERVAL '7 days') AS s(g)
  UNION ALL SELECT 'month', CAST(g AS DATE), CAST(g + INTERVAL '1 month' AS DATE)
    FROM generate_series(CAST($2 AS TIMESTAMP), CAST($1 AS TIMESTAMP), INTERVAL '1 month') AS s(g)
  UNION ALL SELECT 'quarter', CAST(g AS DATE), CAST(g + INTERVAL '3 months' AS DATE)
    FROM generate_series(CAST($2 AS TIMESTAMP), CAST($1 AS TIMESTAMP), INTERVAL '3 months') AS s(g)
  UNION ALL SELECT 'year', CAST($2 AS DATE), CAST(CAST($2 AS TIMESTAMP) + INTERVAL '1 year' AS DATE)),
ended AS (
  SELECT a.province_id, COUNT(*) AS ended
  FROM assignments a JOIN targets t ON t.task_id = a.task_id JOIN periods p ON p.per = t.per
  WHERE p.next <= $1 GROUP BY a.province_id),
met AS (
  SELECT pp.province_id,
         SUM(CASE WHEN pp.achieved >= pp.count THEN 1 ELSE 0 END) AS met,
         SUM(CASE WHEN pp.on_time >= pp.count THEN 1 ELSE 0 END) AS on_time
  FROM per_period pp JOIN periods p ON p.per = pp.per AND p.start = pp.start
  WHERE p.next <= $1 GROUP BY pp.province_id)
SELECT e.province_id, CAST(COALESCE(m.met, 0) AS BIGINT) AS met, CAST(COALESCE(m.on_time, 0) AS BIGINT) AS on_time,
       CAST(e.ended AS BIGINT) AS ended
FROM ended e LEFT JOIN met m ON m.province_id = e.province_id ORDER BY e.province_id
