"""Hypothesis strategies shared by the normalisation tests: figures as PDF extraction and
scraping leave them."""
from hypothesis import strategies as st

FULL = str.maketrans("0123456789.%", "０１２３４５６７８９．％")
DECIMAL_FORMS = (".", " . ", " .", ". ")


@st.composite
def spaced_number(draw, whole: str, frac: str, decimal_forms=DECIMAL_FORMS) -> str:
    """*whole*[.*frac*] as a PDF may print it: thousands spaced apart (1 800), spaces around
    the decimal point (one of *decimal_forms*), or all in full-width characters."""
    s = whole
    if len(whole) >= 4 and draw(st.booleans()):
        groups = []
        while len(s) > 3:
            groups.insert(0, s[-3:])
            s = s[:-3]
        s = " ".join([s] + groups)
    if frac:
        s += draw(st.sampled_from(decimal_forms)) + frac
    if draw(st.booleans()):
        s = s.translate(FULL)
    return s
