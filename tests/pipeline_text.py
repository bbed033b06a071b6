"""One helper for the tests that run a short text of their own through the whole pipeline."""
from extract.ingest import SourceDoc
from extract.pipeline import process


def text_records(text: str, name: str = "t") -> list[dict]:
    """The records `process` gives for *text* read as a UTF-8 .txt document *name*, as the
    JSON dicts `reform export` writes (offsets into *text*)."""
    src = SourceDoc(doc_id=name, path=f"{name}.txt", text=text, format="txt", encoding="utf-8",
                    sha256="0")
    return [r.to_json() for r in process(src).records]
