"""Chinese, Arabic and mixed numerals: parse and format.

``parse_number`` reads one number as printed in a report:

* Arabic with optional thousands separators and decimals: ``3,500``, ``1,666.84``
* Chinese with place words: ``一千二百三十四``, ``十五``, ``两千万``, ``一亿零五百万``,
  ``三点五``; colloquial trailing digits count one place down (``一百五`` = 150,
  ``两万三`` = 23000); financial forms (``壹仟贰佰``) too
* Chinese digit by digit: ``二〇一二`` = 2012
* mixed: an Arabic number followed by magnitude words (``1.2万``, ``3千万``, ``5万亿``)

and returns a float, or None when the string is not one well-formed number
(``十三五``, ``百百``, ``1.2.3``).  ``format_chinese`` writes integers (and decimals)
the way reports do; the property tests use it to check that the two agree.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["parse_number", "parse_decimal", "format_chinese", "CN_DIGITS", "CN_SMALL", "CN_BIG"]

CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9,
    "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9,
}
CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10**4, "亿": 10**8}

_ARABIC = set("0123456789")


def _all_arabic(s: str) -> bool:
    """A non-empty run of 0-9 only (str methods: this runs for every number string)."""
    return s.isascii() and s.isdigit()


def _parse_arabic(s: str) -> Decimal | None:
    if not s or s[0] == "," or s[-1] in ",.":
        return None
    head, dot, frac = s.partition(".")
    if "," in head:
        groups = head.split(",")
        if not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:]):
            return None
        head = "".join(groups)
    if not _all_arabic(head) or (dot and not _all_arabic(frac)):
        return None
    return Decimal(head + (("." + frac) if dot else ""))


def _parse_magnitudes(s: str) -> int | None:
    """A run of magnitude words after an Arabic number: 万, 亿, 千万, 万亿, 百万 ..."""
    mult = 1
    prev = 0
    for ch in s:
        v = CN_SMALL.get(ch) or CN_BIG.get(ch)
        # at most one of 十百千, then 万 / 亿 rising: 千万, 万亿, 百亿; not 千百, 亿万
        if v is None or (prev and (v <= prev or (v < 10**4 and prev < 10**4))):
            return None
        mult *= v
        prev = v
    return mult


def _parse_cn_integer(s: str) -> int | None:
    if all(ch in CN_DIGITS for ch in s):          # 二〇一二: digit by digit
        return int("".join(str(CN_DIGITS[ch]) for ch in s)) if s else None
    total = 0        # completed 亿 groups
    wan = 0          # completed 万 group below the current 亿
    chunk = 0        # below 万
    digit = None     # pending digit
    last_small = 0   # last 十/百/千 in this chunk (they must fall)
    prev_unit = 0    # place word right before the pending digit (colloquial 一百五)
    seen = False
    for ch in s:
        if ch in CN_DIGITS:
            if digit is not None:
                return None
            d = CN_DIGITS[ch]
            if d == 0:
                if digit is not None:
                    return None
                prev_unit = 0
            else:
                digit = d
        elif ch in CN_SMALL:
            u = CN_SMALL[ch]
            if last_small and u >= last_small:
                return None
            if digit is None:
                if chunk or (seen and u != 10):   # 一百十 / 万百 are malformed
                    return None
                digit = 1                          # 十五, 百分之 denominators
            chunk += digit * u
            digit = None
            last_small = u
            prev_unit = u
            seen = True
        elif ch in CN_BIG:
            u = CN_BIG[ch]
            n = chunk + (digit or 0)
            if u == 10**4:
                if wan:
                    return None
                if n == 0:
                    if seen:          # 亿万 is not a number here
                        return None
                    n = 1
                wan = n * u
            else:
                n += wan
                if n == 0:
                    if seen:
                        return None
                    n = 1
                if total and n * u >= total:
                    return None
                total += n * u
                wan = 0
            chunk = 0
            digit = None
            last_small = 0
            prev_unit = u
            seen = True
        else:
            return None
    if digit is not None:
        if prev_unit >= 100:
            digit = digit * prev_unit // 10        # 一百五 = 150, 两万三 = 23000
        chunk += digit
    return total + wan + chunk


def parse_decimal(s: str) -> Decimal | None:
    """Like `parse_number` but exact: a Decimal, or None."""
    s = s.strip()
    if not s:
        return None
    try:
        if s[0] in _ARABIC:
            i = len(s)
            while i and not (s[i - 1] in _ARABIC or s[i - 1] in ",."):
                i -= 1
            num = _parse_arabic(s[:i])
            if num is None:
                return None
            if i == len(s):
                return num
            mult = _parse_magnitudes(s[i:])
            return None if mult is None else num * mult
        head, dot, frac = s.partition("点")
        whole = _parse_cn_integer(head) if head else None
        if whole is None:
            return None
        if not dot:
            return Decimal(whole)
        if not frac or not all(ch in CN_DIGITS for ch in frac):
            return None
        return Decimal(f"{whole}.{''.join(str(CN_DIGITS[ch]) for ch in frac)}")
    except (InvalidOperation, ValueError):
        return None


def parse_number(s: str) -> float | None:
    """The value of one number as printed (Chinese, Arabic or mixed), else None."""
    d = parse_decimal(s)
    return None if d is None else float(d)


# -- formatting ------------------------------------------------------------------

_DIGIT_CHARS = "零一二三四五六七八九"
_DIGIT_BY_DIGIT = "〇一二三四五六七八九"


def _format_group(n: int, liang: bool, leading: bool) -> str:
    """0 < n < 10000 as 千百十 with 零 for gaps; *leading*: the first group of the number."""
    out = []
    zero = False
    for place, word in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // place % 10
        if d == 0:
            if out:
                zero = True
            continue
        if zero:
            out.append("零")
            zero = False
        if d == 1 and place == 10 and not out and leading:
            out.append("十")                       # 十五, not 一十五
            continue
        ch = "两" if (liang and d == 2 and place >= 100) else _DIGIT_CHARS[d]
        out.append(ch + word)
    return "".join(out)


def _format_int(n: int, liang: bool) -> str:
    if n == 0:
        return "零"
    if n >= 10**8:
        high, low = divmod(n, 10**8)
        s = ("两" if liang and high == 2 else _format_int(high, liang)) + "亿"
        if low:
            s += ("零" if low < 10**7 else "") + _format_below_yi(low, liang, leading=False)
        return s
    return _format_below_yi(n, liang, leading=True)


def _format_below_yi(n: int, liang: bool, leading: bool) -> str:
    high, low = divmod(n, 10**4)
    if not high:
        return _format_group(low, liang, leading)
    s = ("两" if liang and high == 2 else _format_group(high, liang, leading)) + "万"
    if low:
        s += ("零" if low < 1000 else "") + _format_group(low, liang, leading=False)
    return s


def format_chinese(n: int | float | Decimal | str, style: str = "units", liang: bool = False) -> str:
    """Write *n* in Chinese.

    ``style="units"``: 一千二百三十四, 十五, 三亿零五百万, 三点一四 (``liang``: 两千 for 二千);
    ``style="digits"``: digit by digit as years are written, 二〇一二.
    Negative numbers are not written (reports say 下降 instead).
    """
    d = Decimal(str(n)) if not isinstance(n, Decimal) else n
    if d < 0:
        raise ValueError("negative numbers are not formatted")
    text = format(d, "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if style == "digits":
        s = "".join(_DIGIT_BY_DIGIT[int(c)] for c in whole)
    elif style == "units":
        s = _format_int(int(whole), liang)
    else:
        raise ValueError(f"unknown style {style!r}")
    if frac:
        s += "点" + "".join(_DIGIT_CHARS[int(c)] for c in frac)
    return s
