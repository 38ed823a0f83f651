"""SMS segment counting (3GPP TS 23.038 GSM 7-bit default alphabet; UCS-2 otherwise).

A GSM-7 message of up to 160 septets is one segment, longer ones are split into 153-septet
segments (a 7-byte user-data header each); characters of the extension table (`^{}\\[~]|€` and
form feed) take two septets. A message with any other character is sent as UCS-2: 70 UTF-16
code units in one segment, 67 per segment beyond that.
"""

from __future__ import annotations

import math

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


def encoding_of(text: str) -> str:
    """`"GSM-7"` when every character is in the GSM default alphabet or its extension, else
    `"UCS-2"`."""
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text) else "UCS-2"


def segment_count(text: str) -> int:
    """Number of SMS segments `text` is billed as (0 for the empty string)."""
    if not text:
        return 0
    if encoding_of(text) == "GSM-7":
        septets = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le", "surrogatepass")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)
