"""CloudWatch metrics: PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics, and the
in-process recorder other services emit their metrics through."""
