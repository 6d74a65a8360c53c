"""Text normalisation and name matching for questions and metric names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from corpus.text import LEVEL_TAG, QUOTES
from corpus.text import norm_name as norm_name  # qa compares names as the corpus normalised them

# Words a question wraps around a metric, which carry no meaning of their own here.
STOPWORDS = sorted({
    "请问", "我想知道", "想知道", "告诉我", "一下", "是多少", "多少钱", "多少", "是什么", "是", "的", "了", "吗", "呢",
    "有", "几", "个", "这个", "这些", "这类", "那个", "该", "本", "单位", "部门", "今年", "本年", "一年", "每年", "全年",
    "要", "花", "能", "可以", "给", "交", "发", "用", "拿", "在", "中", "里", "里面", "之中", "其中", "当中", "对应",
    "安排", "安排了", "预算", "预算数", "金额", "数额", "总额", "合计", "一共", "总共", "共", "合起来",
    "支出", "费用", "经费", "资金", "开销", "开支", "钱", "元", "万元", "科目", "编码", "科目编码", "代码", "对应的",
    "他们", "我们", "职工", "员工", "老同志", "各种", "搞", "日常", "东西", "为", "数", "情况", "具体", "大概",
    "年度", "部分", "的是", "是否", "有没有", "没有", "呀", "啊", "哪些", "包括", "包含", "多少人", "几人", "几名",
    "这部分", "及", "和", "与", "以及", "、", "级", "项", "款", "类", "按", "按照", "根据", "依据", "到",
    "一栏", "这一栏", "栏", "一列", "这一列",
    "表", "表中", "表里", "经济分类科目", "经济分类", "经济科目", "功能分类科目", "功能分类", "功能科目",
    "上年", "去年", "同比", "一共有", "多少名", "百分之", "百分比", "比例", "比重", "占比",
}, key=len, reverse=True)

EN_STOPWORDS = {
    "how", "much", "many", "is", "are", "was", "were", "the", "a", "an", "of", "for", "in", "on", "to", "what",
    "whats", "what's", "which", "who", "does", "do", "did", "have", "has", "had", "there", "this", "that", "its",
    "it", "office", "department", "department's", "departments", "unit", "budget", "budgeted", "budgets",
    "amount", "total", "value", "as", "at", "by", "be", "year", "yearly", "annual", "spent", "spend", "cost",
    "costs", "expense", "expenses", "expenditure", "and", "or", "with", "held", "actually", "please", "tell",
    "me", "i", "we", "they", "their", "our", "figure", "number", "allocated", "allocation", "planned", "dec",
    "december", "st", "nd", "rd", "th", "fund", "funds", "project", "projects", "contribution", "contributions",
    "person", "charge", "from", "same", "than", "more", "less", "any",
}


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_SPOKEN = (("为啥", "为什么"), ("为嘛", "为什么"), ("咋", "怎么"))  # what a phone keyboard types for the written word


# "24年" is how people write 2024年; not a span of years (18年来, 30年以上) nor part of a date or code.
_SHORT_YEAR = re.compile(r"(?<![\d.\-/—－])([1-3]\d)\s*年(?![来间内多前后以期])")


def norm_question(text: str) -> str:
    """Same treatment for a whole question, but list numbering is kept (it can't occur), and
    spoken words become the written ones (为啥 → 为什么)."""
    s = nfkc(text or "")
    for spoken, written in _SPOKEN:
        s = s.replace(spoken, written)
    s = _SHORT_YEAR.sub(r"20\1年", s)
    s = QUOTES.sub("", s)
    s = LEVEL_TAG.sub("", s)
    s = re.sub(r"(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])", "", s)
    # "的" only joins words: dropping it lets 以上的通用设备 match 以上通用设备
    return s.replace("的", "").lower().strip()


def longest_common_substring(a: str, b: str) -> tuple[int, int]:
    """(start in a, length) of the longest substring of a that also occurs in b."""
    if not a or not b:
        return 0, 0
    best_len, best_start = 0, 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        ai = a[i - 1]
        for j in range(1, len(b) + 1):
            if ai == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best_len:
                    best_len, best_start = cur[j], i - cur[j]
        prev = cur
    return best_start, best_len


@lru_cache(maxsize=1 << 16)  # every cell of a row, every row of a table, repeats the same names
def find_name(question: str, name: str, partial: float = 0.75) -> tuple[int, int, float] | None:
    """Where `name` occurs in the question: (start, end, completeness). A partial match must
    cover at least `partial` of the name and 3 characters, so `会议` does not find `会议费`
    but `在职实有人员` finds `在职实有人数`."""
    if len(name) < 2:
        return None
    at = question.find(name)
    if at >= 0:
        return at, at + len(name), 1.0
    start, length = longest_common_substring(question, name)
    if length >= 3 and length / len(name) >= partial:
        return start, start + length, length / len(name)
    return None


def stopword_mask(question: str) -> list[bool]:
    """Positions a stopword, punctuation or whitespace covers."""
    mask = [not (ch.isalnum() or "\u4e00" <= ch <= "\u9fff") for ch in question]
    for word in STOPWORDS:
        start = question.find(word)
        while start >= 0:
            for k in range(start, start + len(word)):
                mask[k] = True
            start = question.find(word, start + 1)
    return mask


def bigram_share(run: str, source: str) -> float:
    """Share of a run's character bigrams that occur in a source text."""
    grams = [run[i:i + 2] for i in range(len(run) - 1)]
    return sum(1 for g in grams if g in source) / len(grams) if grams else 1.0


def leftover_content(question: str, covered: list[bool]) -> list[str]:
    """Runs of uncovered meaningful text: Chinese runs of 2+ characters, and English words
    that are not stopwords. Any such run means the answer would ignore part of the question."""
    mask = stopword_mask(question)
    runs, current = [], ""
    for ch, cov, stop in zip(question, covered, mask):
        if cov or stop:
            if current:
                runs.append(current)
            current = ""
        else:
            current += ch
    if current:
        runs.append(current)
    out = []
    for run in runs:
        if re.fullmatch(r"[a-z'\-]+", run):
            if run not in EN_STOPWORDS and len(run) > 2:
                out.append(run)
        elif re.fullmatch(r"\d+", run):
            continue
        elif len([c for c in run if "\u4e00" <= c <= "\u9fff"]) >= 2:
            out.append(run)
    return out
