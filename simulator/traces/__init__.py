"""A run's traces: the spans its processes wrote, a dossier's tree, where the time goes."""
