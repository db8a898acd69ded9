"""Check outbound addresses: HEAD first, then GET when a server refuses HEAD, each with a
bounded timeout; redirects are followed (at most a few) and the final address recorded."""

import urllib.error
import urllib.request
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from library.models import Resource

from .models import LinkCheck

USER_AGENT = "DeflectionPortal-LinkChecker/1.0 (+staff link check)"
MAX_REDIRECTS = 5
# Status codes some servers give HEAD but not GET: worth a second try with GET.
RETRY_WITH_GET = {400, 403, 404, 405, 429, 500, 501, 503}


@dataclass(frozen=True)
class LinkResult:
    url: str
    ok: bool
    status_code: int | None
    final_url: str
    error: str


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS


_opener = urllib.request.build_opener(_LimitedRedirects)


def _fetch(url: str, method: str, timeout: float) -> LinkResult:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    try:
        with _opener.open(request, timeout=timeout) as response:
            if method == "GET":
                response.read(1024)  # enough to know the body starts; never the whole file
            final = response.geturl()
            return LinkResult(
                url,
                200 <= response.status < 400,
                response.status,
                final if final != url else "",
                "",
            )
    except urllib.error.HTTPError as error:
        return LinkResult(url, False, error.code, "", f"HTTP {error.code} {error.reason}"[:300])
    except TimeoutError:
        return LinkResult(url, False, None, "", f"No answer within {timeout:g} seconds")
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            return LinkResult(url, False, None, "", f"No answer within {timeout:g} seconds")
        return LinkResult(url, False, None, "", str(reason)[:300])
    except (OSError, ValueError) as error:
        return LinkResult(url, False, None, "", str(error)[:300])


def check_url(url: str, *, timeout: float = 10.0) -> LinkResult:
    """HEAD, then GET if HEAD failed in a way GET might not."""
    result = _fetch(url, "HEAD", timeout)
    if result.ok or (result.status_code is not None and result.status_code not in RETRY_WITH_GET):
        return result
    if result.status_code is None and "seconds" in result.error:
        return result  # a server that does not answer HEAD in time will not answer GET either
    return _fetch(url, "GET", timeout)


def outbound_urls(resource: Resource) -> list[str]:
    return [url for url in (resource.external_url, resource.video_url) if url]


def check_resources(resources, *, timeout: float = 10.0) -> list[LinkCheck]:
    """Check every outbound address of the given resources and store what was found; checks
    of addresses a resource no longer has are removed."""
    stored = []
    for resource in resources:
        urls = outbound_urls(resource)
        for url in urls:
            result = check_url(url, timeout=timeout)
            with transaction.atomic():
                check, _created = LinkCheck.objects.update_or_create(
                    resource=resource,
                    url=url,
                    defaults={
                        "ok": result.ok,
                        "status_code": result.status_code,
                        "final_url": result.final_url[:2000],
                        "error": result.error,
                        "checked_at": timezone.now(),
                    },
                )
            stored.append(check)
        LinkCheck.objects.filter(resource=resource).exclude(url__in=urls).delete()
    return stored
