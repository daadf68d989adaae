"""Monitoring for the violence-prevention office: privacy-safe aggregates, dashboard, open data, metrics."""
