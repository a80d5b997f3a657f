"""Measured utilization behind one ``MetricsSource`` protocol: file, CloudWatch, Prometheus."""
