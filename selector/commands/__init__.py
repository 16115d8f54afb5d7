"""CLI commands, one module each; see :mod:`selector.cli`."""
