"""mirkb: miRNA-cancer-effect triples from the literature, with evidence, scores and a knowledge base."""

__version__ = "0.1.0"
