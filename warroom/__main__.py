"""Lets `python -m warroom` run the command line."""

from warroom.launch import main

main()
