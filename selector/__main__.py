"""`python -m selector` runs the CLI."""

from selector.cli import main

raise SystemExit(main())
