"""Lets `python -m warroom` run the command line."""

from warroom.cli import main

main()
