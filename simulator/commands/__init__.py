"""The `portalsim` sub-commands, one module each: their options, help, output and exit codes.

Each module holds the typer command (or sub-app) of one sub-command and only what turns
its options into a call of the package that does the work (`simulator.run`,
`simulator.replay`, `simulator.bench`, ...); `simulator.cli` assembles them into the
`portalsim` command line.
"""
