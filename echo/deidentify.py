"""Finding identifiers in a case presentation before it is stored.

HIPAA's Safe Harbor method lists eighteen kinds of identifier. A program can recognise some
of them in free text: full dates other than the year, ages over 89, phone and fax numbers,
email addresses, Social Security and record-like numbers, street addresses and ZIP codes,
URLs and IP addresses. Names cannot be recognised reliably, so the presenter confirms they
removed them. `find_identifiers` never logs or keeps the text it is given.

The patterns aim at what case write-ups actually contain and leave ordinary numbers alone:
"session 3", "2 of 10", "1-2 p.m.", "a 45-year-old", "in 2023", "90 days", "$20M".
"""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


KIND_LABELS = {
    "date": _("a date (only the year may stay)"),
    "age": _("an age over 89"),
    "phone": _("a phone or fax number"),
    "email": _("an email address"),
    "ssn": _("a Social Security number"),
    "record": _("a record, account or ID number"),
    "address": _("a street address"),
    "zip": _("a ZIP code"),
    "url": _("a web address"),
    "ip": _("an IP address"),
}

MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?)"
)
DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
NUMERIC_MONTH = r"(?:0?[1-9]|1[0-2])"
NUMERIC_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
STREET_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|way|court|ct|place|pl"
    r"|highway|hwy|parkway|pkwy|terrace|ter|circle|cir|loop|trail|trl|square|sq)\.?"
)
DIRECTION = r"(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?"
STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV"
    r"|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|Oregon|Washington"
    r"|California|Idaho|Nevada)"
)
RECORD_WORDS = (
    r"(?:mrn|medical record|record|chart|account|acct|patient id|member id|member|policy"
    r"|insurance id|medicaid id|medicaid|medicare|case|booking|citation|docket|license|licence"
    r"|plate|vin|serial|certificate|claim|beneficiary|id)"
)

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("url", re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)),
    (
        "url",
        re.compile(
            r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|gov|edu|io|us|info|biz|me|co)"
            r"(?:/\S*)?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "ip",
        re.compile(
            r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b"
            r"|\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b",
            re.IGNORECASE,
        ),
    ),
    ("ssn", re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\b\d{3} \d{2} \d{4}\b")),
    (
        "ssn",
        re.compile(r"\b(?:ssn|social security(?: number| no\.?| #)?)\s*[:#]?\s*\d{9}\b", re.I),
    ),
    (
        "phone",
        re.compile(
            r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])"
            r"|(?<![\w.-])\d{3}-\d{4}(?![\w-])"
            r"|\b(?:phone|tel|telephone|fax|cell|mobile)\b\s*(?:number|no\.?|#)?\s*[:#]?\s*"
            r"\d{7,11}\b",
            re.IGNORECASE,
        ),
    ),
    (
        "date",
        re.compile(
            rf"\b{NUMERIC_MONTH}[/.-]{NUMERIC_DAY}[/.-](?:\d{{4}}|\d{{2}})\b"
            rf"|\b\d{{4}}-{NUMERIC_MONTH}-{NUMERIC_DAY}\b"
            rf"|\b{MONTH}\s+{DAY}\b(?:,?\s+\d{{4}})?"
            rf"|\b{DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}})?(?![\w])"
            rf"|\b(?:on|since|from|until|dob|born|admitted|discharged|died|released|arrested"
            rf"|seen|booked)\s*:?\s+{NUMERIC_MONTH}/{NUMERIC_DAY}\b(?!/)",
            re.IGNORECASE,
        ),
    ),
    (
        "age",
        re.compile(
            r"\b(?:9\d|1[0-4]\d)\s*(?:-|\s)?\s*(?:years?|yrs?|y/?o|yo)\b(?:[\s-]*old)?"
            r"|\b(?:age|aged|ages)\s*:?\s*(?:9\d|1[0-4]\d)\b"
            r"|\b(?:in (?:his|her|their) )?(?:late |early |mid-?)?(?:9|1[0-4])0s\b",
            re.IGNORECASE,
        ),
    ),
    (
        "record",
        re.compile(
            rf"\b{RECORD_WORDS}\s*(?:number|num|no\.?|#)?\s*[:#]?\s*(?=[\w-]*\d)"
            r"(?=[a-z0-9-]*\d)[a-z0-9][a-z0-9-]{4,}\b",
            re.IGNORECASE,
        ),
    ),
    ("record", re.compile(r"(?<![$.,\d])\b(?:[a-z]{1,3}-?)?\d{6,}\b(?![.,]\d)", re.IGNORECASE)),
    (
        "address",
        re.compile(
            rf"\b\d{{1,6}}\s+(?:{DIRECTION}\s+)?(?:[A-Z0-9][\w'-]*\s+){{1,3}}{STREET_SUFFIX}"
            r"(?![\w])"
            r"|\b(?:p\.?\s?o\.?\s?box|post office box)\s+\d+\b"
            r"|\b(?:apt|apartment|unit|suite|ste)\.?\s*#?\s*\d+[a-z]?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "zip",
        re.compile(
            rf"\b\d{{5}}-\d{{4}}\b|\b{STATES},?\s+\d{{5}}\b|\bzip(?:\s*code)?\s*[:#]?\s*\d{{5}}\b",
            re.IGNORECASE,
        ),
    ),
]


def _address_words_capitalised(match: re.Match) -> bool:
    """A street name is capitalised ("12 Oak Street"); "10 ways" or "3 main points" is not."""
    words = match.group(0).split()[1:-1]
    words = [word for word in words if not re.fullmatch(DIRECTION, word, re.IGNORECASE)]
    return bool(words) and all(word[0].isupper() or word[0].isdigit() for word in words)


def find_identifiers(text: str) -> list[Finding]:
    """Every identifier-like stretch of the text, in order, overlaps merged into the first."""
    found: list[Finding] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if kind == "address" and match.group(0)[0].isdigit():
                if not _address_words_capitalised(match):
                    continue
            found.append(Finding(kind, match.start(), match.end(), match.group(0)))
    found.sort(key=lambda finding: (finding.start, -(finding.end - finding.start)))
    merged: list[Finding] = []
    for finding in found:
        if merged and finding.start < merged[-1].end:
            continue
        merged.append(finding)
    return merged


def highlight(text: str, findings: list[Finding]) -> SafeString:
    """The text, escaped, with each finding in a <mark> that names its kind to every reader."""
    parts, position = [], 0
    for finding in findings:
        parts.append(escape(text[position : finding.start]))
        text_html, label_html = escape(finding.text), escape(finding.label)
        parts.append(
            f'<mark class="identifier">{text_html}'
            f'<span class="visually-hidden"> ({label_html})</span></mark>'
        )
        position = finding.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every piece is escaped above
