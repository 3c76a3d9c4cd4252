"""What a browser would submit from a rendered form: parse the HTML a page sent, find one form
and collect its successful controls (inputs, checked boxes, selected options, textareas), so a
test posts exactly what a person could post from that page."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


@dataclass
class RenderedForm:
    action: str
    attrs: dict[str, str]
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # every control's name, sent or not

    def data(self, button: tuple[str, str] | None = None, **changes) -> dict[str, list[str]]:
        """The body a click on `button` sends, with `changes` typed over the rendered values."""
        body: dict[str, list[str]] = {}
        for name, value in self.fields:
            body.setdefault(name, []).append(value)
        for name, value in changes.items():
            if name not in self.names:
                raise KeyError(f"the form has no control named {name!r}")
            body[name] = value if isinstance(value, list) else [str(value)]
        if button is not None:
            if button not in self.buttons:
                raise KeyError(f"the form has no button {button!r}")
            body.setdefault(button[0], []).append(button[1])
        return body


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[RenderedForm] = []
        self._form: RenderedForm | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = RenderedForm(action=attrs.get("action", ""), attrs=attrs)
            self.forms.append(self._form)
        if self._form is None or "disabled" in attrs and tag != "option":
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            self._form.names.add(name)
            if kind in ("submit", "image"):
                self._form.buttons.append((name, attrs.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form.fields.append((name, attrs.get("value", "on")))
            elif kind not in SKIPPED_INPUTS:
                self._form.fields.append((name, attrs.get("value", "")))
        elif tag == "button" and name and attrs.get("type", "submit") == "submit":
            self._form.buttons.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._form.names.add(name)
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            selected = "selected" in attrs
            self._option = {"value": attrs.get("value"), "text": "", "selected": selected}
            self._select["options"].append(self._option)
        elif tag == "textarea" and name:
            self._form.names.add(name)
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and not self._select["multiple"] and options:
                chosen = options[:1]  # a single select always sends its first option
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"]
                self._form.fields.append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The HTML spec drops one newline right after <textarea>.
            text = self._textarea["text"].removeprefix("\r\n").removeprefix("\n")
            self._form.fields.append((self._textarea["name"], text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def rendered_forms(html: str | bytes) -> list[RenderedForm]:
    parser = _FormParser()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.forms


def rendered_form(html: str | bytes, *, action: str | None = None, **attrs: str) -> RenderedForm:
    """The one form of the page posting to `action` and carrying `attrs`
    (e.g. `data_testid="task-form"`)."""
    wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
    found = [
        form
        for form in rendered_forms(html)
        if (action is None or form.action == action)
        and all(form.attrs.get(name) == value for name, value in wanted.items())
    ]
    if len(found) != 1:
        raise LookupError(f"{len(found)} forms match action={action!r} {wanted}")
    return found[0]
