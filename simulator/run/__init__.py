"""One scenario run (`portalsim run`): what it is (`plan`: `RunPlan`, `RunOutcome`), playing
it on a running system (`play`) and its progress bars and bounded wait (`progress`)."""
