"""The SNS HTTP(S) endpoint's outbound calls: fetching a signing certificate and visiting a
subscription's SubscribeURL. Plain HTTPS GETs with a short timeout (stdlib `urllib`), never
redirected; callers check the URL first (sns.py). Tests replace `http_get`."""

from __future__ import annotations

import urllib.request

TIMEOUT_SECONDS = 5.0
MAX_BYTES = 64 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect could leave the checked host


_OPENER = urllib.request.build_opener(_NoRedirect)


def http_get(url: str) -> bytes:
    """GET `url` (https, already checked by the caller); its body, at most 64 KiB. Raises
    OSError (urllib's URLError / HTTPError are OSErrors) when it fails."""
    with _OPENER.open(url, timeout=TIMEOUT_SECONDS) as response:
        return bytes(response.read(MAX_BYTES))
