"""spaCy pipeline: a blank Chinese pipeline with registered reform-extract components.

    nlp = build_nlp("jieba")            # or "pkuseg"
    doc = nlp("新农合参合率达到98.5%")
    doc._.quantities  -> [Quantity]     # reform_quantities
    doc._.links       -> [Link]         # reform_linker
    doc.spans["metrics"]                # one Span per linked value, label = metric key

Other researchers can add their own components after ``reform_linker`` (or replace
one) with ``nlp.add_pipe``; the components only read and write the extensions above.
"""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .linker import default_linker
from .numbers import recognise
from .segment import get_segmenter

for _name in ("quantities", "links"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class SegmenterTokenizer:
    """A spaCy tokenizer that delegates word segmentation to jieba or pkuseg."""

    def __init__(self, vocab, segmenter: str = "jieba"):
        self.vocab = vocab
        self.segmenter = segmenter
        self._cut = get_segmenter(segmenter)

    def __call__(self, text: str) -> Doc:
        words = [w for w in self._cut(text) if w]
        if "".join(words) != text:            # a segmenter that drops whitespace
            words = _realign(text, words)
        return Doc(self.vocab, words=words, spaces=[False] * len(words))

    # spaCy serialisation hooks (nothing to save: the segmenters ship their own models)
    def to_bytes(self, **kwargs):
        return b""

    def from_bytes(self, data, **kwargs):
        return self

    def to_disk(self, path, **kwargs):
        pass

    def from_disk(self, path, **kwargs):
        return self


def _realign(text: str, words: list) -> list:
    out, pos = [], 0
    for w in words:
        i = text.find(w, pos)
        if i < 0:
            continue
        if i > pos:
            out.append(text[pos:i])
        out.append(w)
        pos = i + len(w)
    if pos < len(text):
        out.append(text[pos:])
    return out


@spacy.registry.tokenizers("reform.segmenter.v1")
def create_segmenter_tokenizer(segmenter: str = "jieba"):
    def make(nlp):
        return SegmenterTokenizer(nlp.vocab, segmenter)
    return make


@Language.component("reform_quantities")
def quantities_component(doc: Doc) -> Doc:
    doc._.quantities = recognise(doc.text)
    return doc


@Language.component("reform_linker")
def linker_component(doc: Doc) -> Doc:
    text = doc.text     # Doc.text joins every token: build it once
    qs = doc._.quantities if doc._.quantities is not None else recognise(text)
    tokens = [(t.idx, t.idx + len(t.text)) for t in doc]
    plan = bool(doc.user_data.get("plan_section"))
    links = default_linker().link_sentence(text, 0, len(text), qs, tokens=tokens, plan_section=plan)
    doc._.links = links
    spans = []
    for ln in links:
        sp = doc.char_span(ln.quantity.start, ln.quantity.end, label=ln.metric, alignment_mode="expand")
        if sp is not None:
            spans.append(sp)
    doc.spans["metrics"] = spans
    return doc


@lru_cache(maxsize=4)
def build_nlp(segmenter: str = "jieba") -> Language:
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {
        "@tokenizers": "reform.segmenter.v1", "segmenter": segmenter}}})
    nlp.add_pipe("reform_quantities")
    nlp.add_pipe("reform_linker")
    return nlp
