"""Passed to ``spacy train/evaluate --code``: registers mirkb's tokenizer callback ("mirkb.tokenizer")."""

import extractors.syntax  # noqa: F401
