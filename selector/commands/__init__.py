"""CLI commands, one module per command group; see :mod:`selector.cli`."""
