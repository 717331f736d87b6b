"""Prefect flows: thin orchestration over ``extractors`` and the knowledge base."""

from mirkb.signals import guard_prefect_server

# Before any flow runs: Prefect's temporary server must survive Ctrl-C and die with us (robust, issue 11).
guard_prefect_server()
