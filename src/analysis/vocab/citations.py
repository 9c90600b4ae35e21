"""Citations of the curated published figures: the publisher's own page, never the copy read.

The curated tables ``left_behind_children_by_province_partial.csv`` and
``published_figures_with_quotes.csv`` end with three columns (see the shared data README,
"Citations"):

* ``original_url`` — the publisher's own page (for papers: the DOI link);
* ``original_url_status`` — :data:`STATUSES`: ``is_original`` (the page read was the
  publisher's), ``confirmed`` (a copy at the publisher's own host was seen with the figure),
  ``reconstructed`` (derived from the mirror's path pattern, not opened), ``unknown`` (no original
  identified: ``original_url`` is empty);
* ``read_via_url`` — the mirror or spam copy actually read, when it was not the original.

Rules applied by the cleaning steps (:func:`citation`, :func:`check_hosts`): a published table
cites ``original_url`` as ``citation_url`` with ``citation_status``; where the original is
unknown ``citation_url`` is missing and the status says ``unknown`` (it never falls back to the
copy read); no ``read_via_url`` host is ever cited; a figure whose original is unknown and whose
reliability grade is C is context, never evidence (:func:`is_context_only`).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from analysis.core.errors import DataError

#: Values of ``original_url_status``, most to least certain.
STATUSES: tuple[str, ...] = ("is_original", "confirmed", "reconstructed", "unknown")
UNKNOWN = "unknown"
#: The three citation columns every curated table of published figures must end with.
CITATION_COLUMNS: tuple[str, ...] = ("original_url", "original_url_status", "read_via_url")
#: Prefix of a DOI link (papers are cited by DOI).
DOI_PREFIX = "https://doi.org/"


def host(url: str) -> str:
    """The lower-case host of an address, port kept (``'192.0.2.1:81'``); scheme optional
    (``'mirror.example/a/1'`` → ``'mirror.example'``). Empty text gives ``''``."""
    url = url.strip()
    if not url:
        return ""
    return urlsplit(url if "//" in url else f"//{url}").netloc.lower()


def host_keys(url: str) -> set[str]:
    """Spellings of an address's host to search published text for: the host, the host without
    its port and the host without a leading ``www.`` or ``m.`` (``'m.mirror.example'`` →
    ``{'m.mirror.example', 'mirror.example'}``). Empty text gives an empty set."""
    h = host(url)
    if not h:
        return set()
    bare = h.rsplit(":", 1)[0] if ":" in h else h
    keys = {h, bare}
    for prefix in ("www.", "m."):
        if bare.startswith(prefix):
            keys.add(bare[len(prefix):])
    return keys


def doi_url(doi: str) -> str:
    """The DOI link of a DOI (``'10.1038/x'`` → ``'https://doi.org/10.1038/x'``)."""
    return DOI_PREFIX + doi.removeprefix("doi:")


def citation(original_url: str, status: str, read_via_url: str, *, file: str,
             row: int) -> tuple[str | None, str]:
    """The citation of one curated row, after checking its three citation cells.

    Parameters
    ----------
    original_url, status, read_via_url : the row's cells (text, may be empty)
    file, row : where the row is (for the error message; ``row`` is the line in the CSV)

    Returns
    -------
    ``(citation_url, citation_status)``: the original's address (``None`` when the status is
    ``unknown``) and the status.

    Raises
    ------
    DataError
        unknown status; an address with status ``unknown`` or none with another status; an
        address that is not http(s); an original at the host of the copy read; an
        ``is_original`` row that names a copy read — naming file, row and column.
    """
    url, status, via = original_url.strip(), status.strip(), read_via_url.strip()
    if status not in STATUSES:
        raise DataError(file, f"original_url_status {status!r} is not one of {list(STATUSES)}",
                        row=row, column="original_url_status")
    if status == UNKNOWN:
        if url:
            raise DataError(file, f"original_url {url!r} given but the status says unknown",
                            row=row, column="original_url")
        return None, status
    if not url:
        raise DataError(file, f"original_url is empty but the status is {status!r}", row=row,
                        column="original_url")
    if urlsplit(url).scheme not in ("http", "https") or not host(url):
        raise DataError(file, f"original_url {url!r} is not an http(s) address", row=row,
                        column="original_url")
    if via and host_keys(url) & host_keys(via):
        raise DataError(file, f"original_url {url!r} is at the host of the copy read "
                              f"({host(via)}): a mirror is never the original", row=row,
                        column="original_url")
    if status == "is_original" and via:
        raise DataError(file, f"status is_original but read_via_url {via!r} names another "
                              "copy", row=row, column="read_via_url")
    return url, status


def check_hosts(cited: Iterable[str | None], read_via: Iterable[str], *, file: str) -> None:
    """Refuse citations at any host a row of the same table records as ``read_via_url``.

    Raises :class:`DataError` naming the first cited address and the host.
    """
    banned: set[str] = set()
    for url in read_via:
        banned |= host_keys(url)
    for url in cited:
        hit = host_keys(url or "") & banned
        if hit:
            raise DataError(file, f"citation {url!r} is at {sorted(hit)[0]}, a host recorded "
                                  "as read_via_url (a mirror or spam copy): cite the original",
                            column="original_url")


def is_context_only(reliability: str, status: str) -> bool:
    """True for a figure that may be shown as context but never used as evidence: reliability
    grade C (``reliability`` starts with ``C``) and no original identified (status
    ``unknown``)."""
    return reliability.strip().upper().startswith("C") and status.strip() == UNKNOWN


__all__ = ["CITATION_COLUMNS", "DOI_PREFIX", "STATUSES", "UNKNOWN", "check_hosts", "citation",
           "doi_url", "host", "host_keys", "is_context_only"]
