"""One scenario run (`portalsim run`): the system up, the demand played, every dossier
waited for, the outcome handed to the report (`play`)."""
