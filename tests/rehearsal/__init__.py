"""A container-free rehearsal of docs/deployment.md's quick start: the compose file's
services as local processes, its environment and host names mapped to loopback
(`compose`), the quick start's commands played in order (`quick_start`)."""
