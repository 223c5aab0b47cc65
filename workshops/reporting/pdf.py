"""PDFs rendered with WeasyPrint from our own templates.

Every PDF goes through ``render_pdf``, whose URL fetcher serves only the
application's own static files. Nothing a user types (a partnership name, an
assessment title, one day perhaps an answer shown in a report) may make the
server fetch a URL or read a file: an ``<img src="http://169.254.169.254/…">``
or ``file:///etc/passwd`` that slipped into the HTML would otherwise be
fetched by the server, from inside our network, with our file permissions.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from workshops.reporting.pdf_tags import finish_tags


class RefusedURL(ValueError):
    """The fetcher will not serve this URL. WeasyPrint logs it and skips the resource."""


def _base_url() -> str:
    # Relative URLs in our templates ({% static %} gives "/static/…") resolve
    # against the site's own address. That address is never contacted: the
    # fetcher maps it to files on disk. Links in a PDF then point at the site.
    return settings.SITE_URL.rstrip("/") + "/"


def _static_name(url: str) -> str | None:
    """The static file name a URL asks for ("css/print.css"), or None if it is not ours."""
    static_url = settings.STATIC_URL
    prefixes = [static_url]
    if static_url.startswith("/"):
        prefixes.append(settings.SITE_URL.rstrip("/") + static_url)
    path = urlsplit(url)._replace(query="", fragment="").geturl()
    for prefix in prefixes:
        if path.startswith(prefix):
            return unquote(path[len(prefix) :])
    return None


def _static_path(name: str) -> Path | None:
    # Refuse anything that could climb out of the static directories, before
    # asking Django (whose finders refuse it too: two locks on the door).
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return None
    if any(part in ("", ".", "..") for part in parts):
        return None
    found = finders.find(name)
    if found:
        return Path(found)
    # In production {% static %} gives hashed names (css/print.1a2b3c.css)
    # that exist only in STATIC_ROOT, where the finders do not look.
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (ImproperlyConfigured, NotImplementedError, SuspiciousFileOperation):
        pass
    return None


def safe_url_fetcher(url: str, timeout: int = 10, ssl_context=None) -> URLFetcherResponse:
    """Serve a static file of this application, or a data: URL; refuse anything else.

    ``timeout`` and ``ssl_context`` are accepted for the shape of WeasyPrint's
    fetchers and ignored: this fetcher never opens a connection.
    Raises RefusedURL for http(s) to any host, file:// and every other URL.
    """
    if urlsplit(url).scheme.lower() == "data":
        # Decoded in memory by urllib's data: handler; it opens nothing.
        response = DataHandler().data_open(Request(url))  # noqa: S310
        return URLFetcherResponse(url, response.read(), dict(response.headers.items()))
    name = _static_name(url)
    path = _static_path(name) if name is not None else None
    if path is None or not path.is_file():
        raise RefusedURL(f"Only this site's static files are used in PDFs, not {url!r}")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    absolute = url if "://" in url else _base_url() + url.lstrip("/")
    return URLFetcherResponse(absolute, path.read_bytes(), {"Content-Type": content_type})


class SafeURLFetcher(URLFetcher):
    """safe_url_fetcher in the shape WeasyPrint 70 requires: a URLFetcher whose fetch() we own.

    (Since the URLFetcher class, WeasyPrint reads attributes of the fetcher
    object, so a bare function no longer works as ``url_fetcher``.)
    """

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        return safe_url_fetcher(url)


def render_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of an HTML document, so screen readers get its structure
    and reading order; its language and title come from <html lang> and <title>.
    WeasyPrint writes the tags; pdf_tags finishes what it leaves undone (running heads as
    artifacts, one Table per table, header cells' scope)."""
    return finish_tags(_document(html).write_pdf(pdf_variant="pdf/ua-1"))


def laid_out(html: str):
    """The document laid out in pages as render_pdf prints it (a WeasyPrint Document),
    for checking where things fall."""
    return _document(html).render()


def _document(html: str) -> HTML:
    return HTML(string=html, base_url=_base_url(), url_fetcher=SafeURLFetcher())
