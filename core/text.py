"""Free text that people type: what it may hold, and how stored text is made safe to export."""

import re
from urllib.parse import quote, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 control characters except tab, line feed and carriage return (a textarea sends CR LF):
# nothing a person types, and XML — so XLSX — cannot hold them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@deconstructible
class ControlCharacterValidator:
    message = _("Remove the invisible control character (code %(code)s) from this text.")
    code = "control_character"

    def __call__(self, value) -> None:
        found = CONTROL_CHARACTERS.search(str(value))
        if found:
            raise ValidationError(
                self.message, code=self.code, params={"code": f"U+{ord(found.group()):04X}"}
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, ControlCharacterValidator)


no_control_characters = ControlCharacterValidator()


def printable(text: str) -> str:
    """`text` with control characters (stored before they were refused) replaced by a space."""
    return CONTROL_CHARACTERS.sub(" ", text)


def ascii_url(url: str, *, max_length: int) -> str:
    """`url` as a URI: an international domain name in punycode, other non-ASCII characters
    percent-encoded — what the API documents (`format: uri`) and every client can open.
    ValidationError if the result is longer than `max_length`."""
    if not url or url.isascii():
        encoded = url
    else:
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValidationError(_("Enter a valid URL."), code="invalid") from None
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        userinfo, at, _hostport = parts.netloc.rpartition("@")
        if at:
            netloc = f"{quote(userinfo, safe=':%')}@{netloc}"
        encoded = urlunsplit(
            parts._replace(
                netloc=netloc,
                path=quote(parts.path, safe="/%:@!$&'()*+,;="),
                query=quote(parts.query, safe="=&%:@!$'()*+,;/?"),
                fragment=quote(parts.fragment, safe="%:@!$&'()*+,;=/?"),
            )
        )
    if len(encoded) > max_length:
        raise ValidationError(
            _("Ensure this address has at most %(max)d characters once written as a URI."),
            code="max_length",
            params={"max": max_length},
        )
    return encoded
