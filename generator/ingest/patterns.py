"""The kinds of line that more than one phase recognises: the shared regexes and line predicates
(a title-like line, a title's comparison key, a sentence end). A pattern used by one phase only lives
in that phase's module."""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter

from generator.ingest.dates import DATE_RE, is_date_line
from generator.ingest.textutil import clean_artefacts, spaceless
from generator.model import models

_CN_NUM = "一二三四五六七八九十百零〇两"

SECTION_BRACKET_RE = re.compile(r"^[【\[［]\s*([^】\]］]{1,20}?)\s*[】\]］]\s*(?:[·.…\s\t]*(\d{1,4}))?$")
COLOPHON_KEY_RE = re.compile(
    r"^(主管主办|主管|主办|承办|编辑出版|编辑|出版|编印|准印证号|准印证|印刷单位|印刷|联系电话|电话|传真|地址|邮编|"
    r"邮政编码|网址|投稿邮箱|电子邮箱|邮箱|发送|发送对象|内部资料|免费交流|刊号)\s*[：:]"
)
PUBLISHED_RE = re.compile(r"^(?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日\s*出版$")
ISSUER_RE = re.compile(
    r"^[\u4e00-\u9fff]{2,30}?(人民政府办公室|人民政府|政府办公室|办公室|委员会|管委会|管理委员会|"
    r"办事处|政府|局|厅|委|办)(?=\s|关于|$)"
)
# 发文机关标志, the red header over a document: 济南市人民政府文件, 中共济南市委办公厅文件, two bodies
# issuing together (中共济南市委 济南市人民政府文件). Matched on the line without spaces.
RED_HEADER_RE = re.compile(
    r"^(?P<issuer>(?:中共|中国共产党)?[\u4e00-\u9fff]{2,40}?"
    r"(?:人民政府办公室|人民政府办公厅|人民政府|办公厅|办公室|委员会|管委会|管理委员会|办事处|政府|局|厅|"
    r"[省市县区州旗]委|党委|党工委|党组|人大常委会|政协))文件$"
)
SIGNER_LINE_RE = re.compile(r"^签\s*发\s*人\s*[：:]")  # 签发人：张三, beside the number of an upward document
PUBLIC_RE = re.compile(r"^[（(]\s*此件([^)）]{0,10})\s*[)）]$")
PRINTED_RE = re.compile(rf"^[（(]\s*({DATE_RE.pattern})\s*印发\s*[)）]$")
ATTACHMENT_LIST_RE = re.compile(r"^附\s*件\s*[：:]\s*(.*)$")
ATTACHMENT_LABEL_RE = re.compile(r"^附\s*件\s*(\d{1,2})?\s*[：:]?$")
LIST_ITEM_RE = re.compile(r"^([0-9０-９]{1,2})\s*[.、．]\s*(?![0-9０-９])(.*)$")
BLOCK_START_RE = re.compile(
    rf"^(第[{_CN_NUM}]+[章节条部分]|[{_CN_NUM}]+\s*[、．.]|[（(]\s*[{_CN_NUM}]+\s*[）)]|\d{{1,2}}\s*[.、．](?!\d)|"
    rf"[（(]\s*\d{{1,2}}\s*[）)]|[△▲●◆■□①-⑳]|附\s*件|——|注[：:]|\|)"
)
HEADING1_RE = re.compile(rf"^(第[{_CN_NUM}]+[章部分]|[{_CN_NUM}]+\s*、)")
HEADING2_RE = re.compile(rf"^([（(]\s*[{_CN_NUM}]+\s*[）)]|第[{_CN_NUM}]+节)")
# Website chrome copied with a document's text: breadcrumbs, the page's date and hit counter, font and
# share buttons, print and close links, the footer (host, ICP and police registration numbers).
# Two patterns (one searched, one matched at the start): the words found anywhere start with a few
# characters, which the searched pattern skips to; one pattern with anchored branches was tried in
# full at every character of every line.
SITE_CHROME_RE = re.compile(
    r"ICP备|公网安备|网站标识码|当前位置[:：]|分享到|扫一扫|打印本页|关闭窗口|【字体|字号[:：]\s*[大中小]|"
    r"浏览次数|访问量[:：]|阅读次数|点击数[:：]"
)
SITE_CHROME_LINE_RE = re.compile(
    r"版权所有|(?:主办|承办|技术支持)单位[:：]|首页$|首页\s*[>＞»/]|上一篇|下一篇|"
    # the page's date and source line: 发布时间：2023-01-10 16:20  来源：金乡县人民政府办公室
    r"(?:发布时间|发布日期)[:：]\s*\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}日?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?"
    r"\s*(?:(?:信息)?来源[:：].{0,40})?$|(?:信息)?来源[:：]\s*\S.{0,30}$"
)
# 文种, the kinds of official document GB/T 9704 names: one list, in the model.
DOC_TYPES = models.DOC_TYPES
# A title that ends with its 文种, a bracketed remark (（试行）, （草案）) allowed after it.
DOC_TYPE_END_RE = re.compile(rf"(?:{'|'.join(DOC_TYPES)})(?:[（(][^()（）]{{1,10}}[)）])?$")
TERMINAL = set("。！？；：!?;:")
CLOSERS = "”’」』）)】〕》"


def is_site_chrome(line: str) -> bool:
    """A line of a website's navigation, toolbar or footer, never a gazette's text."""
    return bool(SITE_CHROME_LINE_RE.match(line) or SITE_CHROME_RE.search(line))


def _title_key(text: str) -> str:
    return re.sub(r"[\s·.…《》“”\"'()（）\[\]【】〔〕*\-]", "", clean_artefacts(text))


def title_ratio(a: str, b: str, bar: float = 0.0) -> float:
    """difflib's ``SequenceMatcher(None, a, b, autojunk=False).ratio()``, or 0.0 when one of its
    upper bounds is below ``bar``: the lengths (``real_quick_ratio``) and the characters in common
    (``quick_ratio``), computed in difflib's arithmetic to the last bit. A ratio that cannot reach
    the bar is not computed: titles are compared with every listed title at every candidate line."""
    total = len(a) + len(b)
    if not total or a == b:
        return 1.0
    if 2.0 * min(len(a), len(b)) / total < bar or 2.0 * _shared_chars(a, b) / total < bar:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@functools.lru_cache(maxsize=4096)
def _char_counts(text: str) -> Counter[str]:
    return Counter(text)  # shared between calls: only read, never changed


def _shared_chars(a: str, b: str) -> int:
    """The characters ``a`` and ``b`` have in common, counted with repeats (what difflib's quick_ratio
    counts): no matching of the two can pair more."""
    counts_a, counts_b = _char_counts(a), _char_counts(b)
    return sum(min(counts_a[ch], counts_b[ch]) for ch in counts_a.keys() & counts_b.keys())


def _title_like(text: str) -> bool:
    t = clean_artefacts(text)
    if not t or "\t" in text or t.startswith("|") or len(spaceless(t)) > 90:
        return False
    if t[-1] in TERMINAL or _ends_terminal(t) and t[-1] not in ")）" or is_date_line(t):
        return False
    if (
        PUBLIC_RE.match(t)
        or PRINTED_RE.match(t)
        or ATTACHMENT_LABEL_RE.match(t)
        or ATTACHMENT_LIST_RE.match(t)
    ):
        return False
    if "。" in t:
        return False
    return True


def _ends_terminal(text: str) -> bool:
    t = text.rstrip()
    if not t:
        return True
    if t[-1] in ")）" and _balanced(t):
        inner = t.rstrip(")）")
        return True if inner else True
    stripped = t.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in TERMINAL


def _balanced(text: str) -> bool:
    return text.count("（") + text.count("(") <= text.count("）") + text.count(")")


def _excerpt(text: str, size: int = 30) -> str:
    text = text.strip()
    return text if len(text) <= size else text[:size] + "…"
