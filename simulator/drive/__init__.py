"""Driving the running system and watching what it does.

The HTTP driver of the portals (`driver`), handing the demand in with bounded
concurrency (`ingress`), submissions injected straight into Kafka (`inject`), services
stopped and restarted at a scenario's fault moments (`faults`), and the collector that
reads every topic into the run's `Observations` (`collector`, `observations`).
"""
