"""What to simulate: scenario files, the demand they generate and the people who apply.

A scenario file (`scenario`) says who applies for which procedure, when, online or at a
desk, under which policies and faults; `demand` turns it into the dossiers of a run and
`applicants` picks the synthetic people who file them. Pure and deterministic: the same
scenario and seed give the same demand, and nothing here talks to Kafka or the services.
"""
