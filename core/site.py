"""Where the app is reached, for links that leave it (e-mails, calendar feeds, seed_demo's
greeting). One rule, documented in the README's Configuration table:

1. SITE_URL, when set, always;
2. otherwise, for a link built while answering a request, the address that request reached;
3. otherwise (a background job has no request), http://$HOST:$PORT — the address `make demo`
   serves.
"""

from django.conf import settings
from django.http import HttpRequest

# A server bound to every interface is reached on this machine through the loopback address.
EVERY_INTERFACE = {"0.0.0.0", "::", ""}


def served_url() -> str:
    """The address runserver (`make demo`) or gunicorn (`make serve`) listens on."""
    host = "127.0.0.1" if settings.HOST in EVERY_INTERFACE else settings.HOST
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{settings.PORT}"


def site_url(request: HttpRequest | None = None) -> str:
    """The base of absolute links (no trailing slash), by the rule above."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return served_url()
