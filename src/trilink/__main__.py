"""``python -m trilink`` runs the command."""

from trilink.cli import main

main()
