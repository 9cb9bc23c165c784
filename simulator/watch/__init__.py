"""Watching a run: the simulator's metrics, a Prometheus server, the live page."""
