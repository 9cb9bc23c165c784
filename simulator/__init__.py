"""The portalsim simulator and its CLI (`cli`, one module a command in `commands`).

What to simulate (`scenarios`), the system it runs on and its one lifecycle (`system`),
driving and watching that system (`drive`), one scenario run (`run`), event logs and
their replays and diffs (`eventlog`, `replay`, `diff`), the report (`report`), the
benchmark (`bench`), files made from the contracts (`contract_files`) and a local Kafka
broker from its Maven jars (`kafka_local`).
"""
