"""Replaying an event log (`portalsim replay`): the inputs a log holds (`inputs`), handing
them to a system again at a pace (`replayer`), one whole recorded replay (`session`)."""
