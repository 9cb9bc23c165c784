"""The system the simulator plays against, and its one lifecycle.

`lifecycle.running_system(plan)` is what run, replay and bench start and stop a system
with: the Kafka broker, a given one or a fresh local or secure one (`brokers`), and the
four services as OS processes (`processes`) with their typed settings (`settings`), their
keys (`keys`) and the hashes of the run's HTTP tokens (`tokens`).
"""
