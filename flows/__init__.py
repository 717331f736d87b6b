"""Prefect flows: thin orchestration over ``extractors`` and the knowledge base."""
