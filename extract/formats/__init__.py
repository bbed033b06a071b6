"""Format readers: bytes of one file -> `base.Extracted` (document text, encoding, title, tables).

Each module has ``read(data: bytes, path) -> Extracted`` and raises `base.IngestError`.
`extract.ingest.read_document` dispatches to them by file suffix.
"""
