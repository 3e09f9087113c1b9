"""`python -m ticketry` is the `ticketry` command."""

from ticketry.cli.main import main

main()
