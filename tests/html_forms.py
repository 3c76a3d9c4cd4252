"""Read the forms of a rendered page as a browser would submit them (no JavaScript)."""

from html.parser import HTMLParser


class RenderedForms(HTMLParser):
    """Each <form> of a page: its action and the name/value pairs a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: dict[str, str] = {}  # data-testid → href of each <a> that has both
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "data-testid" in attrs and "href" in attrs:
            self.links[attrs["data-testid"]] = attrs["href"]
        if tag == "form":
            self._form = {"action": attrs.get("action", ""), "fields": {}, "testids": set()}
            self.forms.append(self._form)
        if self._form is None:
            return
        if "data-testid" in attrs:
            self._form["testids"].add(attrs["data-testid"])
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("checkbox", "radio", "submit"):
            self._form["fields"][name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self._form["fields"][name] = None
        elif tag == "option" and self._select:
            fields = self._form["fields"]
            if fields[self._select] is None or "selected" in attrs:
                fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"][name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_with(response, testid: str) -> tuple[str, dict]:
    """The action and fields of the rendered form holding the element `testid`."""
    parser = RenderedForms()
    parser.feed(response.content.decode())
    [form] = [form for form in parser.forms if testid in form["testids"]]
    return form["action"], dict(form["fields"])


def link_with(response, testid: str) -> str:
    """Where the rendered link `testid` leads."""
    parser = RenderedForms()
    parser.feed(response.content.decode())
    return parser.links[testid]
