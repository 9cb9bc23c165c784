"""`portalsim bench`: throughput, latency and resources of the pipeline against raw Kafka.

Modules: `workload` (the injected dossiers), `measure` (CPU and memory from /proc),
`lag` (consumer-group lag), `watch` (settlements and the records of a run), `baseline`
(plain aiokafka on the same broker), `paced` (injection at a fixed rate), `stats` and
`table` (figures and their printout), `population` (the services' settings, population_db's
seeding and its restart check), `host` (the machine), `runner` (one whole benchmark on
the system `simulator.system.lifecycle` starts).
"""
