"""The knowledge base: triples with their evidence, documents, runs and errors (see docs/KB.md).

``open_kb(path_or_url)`` opens or creates it and migrates an older file to the current schema.
"""

from mirkb.kb.store import (
    DocumentInfo,
    KBError,
    KnowledgeBase,
    WriteResult,
    open_kb,
    to_url,
    triple_id,
    triple_key,
)

__all__ = ["DocumentInfo", "KBError", "KnowledgeBase", "WriteResult", "open_kb", "to_url", "triple_id", "triple_key"]
