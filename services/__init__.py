"""The four portalsim services and the kit they are built from."""
