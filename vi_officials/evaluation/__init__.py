"""Scoring: metrics, reports, baselines, cross-validation and dev-set runs."""
