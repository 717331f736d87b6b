"""Pure, testable NLP for mirkb: ingestion, text clean-up, recognition, normalisation, relations.

Nothing in this package imports Prefect or the knowledge-base store: text (or a file) goes in,
rows come out. See ``extractors.schema`` for the shapes that cross package boundaries.
"""
