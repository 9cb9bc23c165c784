"""portalsim's shared language: the event envelope, payloads, topics, catalogue, identifiers.

Services and the simulator import from here and never from each other. Modules:
`envelope` (CloudEvents), `events` (payloads; with `intake_events`, `civil_status`
and `payload_types`), `people`, `topics` (registry),
`catalogue` (the 25 procedures), `id_numbers`, `units`, `dossier_codes`,
`dossier_ids`, `worktime` (simulated office time), `holidays` (its public holidays),
`deadletter`.
"""
