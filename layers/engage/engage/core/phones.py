"""Phone numbers to E.164 with `phonenumbers` (Google's libphonenumber metadata).

`phonenumbers` is imported on first use: its metadata costs a cold start ~13 ms that the
workers which never parse a number should not pay (STYLE.md rule 7)."""

from __future__ import annotations

from engage.core.errors import ValidationFailed


def normalise_phone(raw: str | None, default_region: str | None) -> str | None:
    """Return the E.164 form of `raw`, or None when it is not a valid number.

    `default_region` (ISO 3166-1 alpha-2) resolves national formats such as `(512) 555-0115`.
    A leading apostrophe (spreadsheet text marker, as in Shopify exports) is ignored.
    """
    if raw is None:
        return None
    text = raw.strip().lstrip("'").strip()
    if not text:
        return None
    import phonenumbers

    region = (default_region or "").upper() or None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def require_phone(raw: str | None, default_region: str | None, field: str = "phone") -> str:
    """Like `normalise_phone` but raises ValidationFailed (400) naming `field`."""
    value = normalise_phone(raw, default_region)
    if value is None:
        raise ValidationFailed(
            "Invalid phone number", {field: f"{raw!r} is not a valid phone number"}
        )
    return value


def is_valid_region(code: str) -> bool:
    """True when `code` is an ISO 3166-1 alpha-2 region that libphonenumber knows."""
    import phonenumbers

    return code.upper() in phonenumbers.SUPPORTED_REGIONS
