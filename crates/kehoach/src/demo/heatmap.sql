-- Plain SQL heatmap cells. $1 = task id, $2 = province id.
SELECT a.id, CAST(date_trunc('week', CAST(x.occurred_on AS TIMESTAMP)) AS DATE) AS week, SUM(x.quantity) AS achieved
FROM activities x JOIN assignments a ON a.id = x.assignment_id
WHERE a.task_id = $1 AND a.province_id = $2 GROUP BY 1, 2
