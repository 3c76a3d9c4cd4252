"""What a browser would submit from a page's HTML: the forms, their controls, and the values a
browser keeps after sanitising them (HTML Living Standard, "value sanitization algorithm" and
"constructing the entry list").

The Django test client posts what the test wrote; a browser posts what the page rendered, after
throwing away what its inputs do not accept — a date box holding "2027/03/05" submits nothing.
`browser_forms(html)` reads every form the way Chromium would, so a test can submit exactly that.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Values each input type accepts; anything else the browser empties before submitting.
DATE = re.compile(r"^\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?$")
DATETIME_LOCAL = re.compile(
    r"^\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?$"
)
MONTH = re.compile(r"^\d{4,}-(0[1-9]|1[0-2])$")
NUMBER = re.compile(r"^-?(\d+|\d*\.\d+)([eE][-+]?\d+)?$")
NOT_SUBMITTED = {"submit", "button", "reset", "image", "file"}


def sanitize(input_type: str, value: str) -> str:
    """The value an <input type=input_type value=value> holds in a browser."""
    if input_type in {"text", "search", "tel", "password"}:
        return value.replace("\r", "").replace("\n", "")
    if input_type in {"email", "url"}:
        return value.replace("\r", "").replace("\n", "").strip()
    if input_type == "date":
        return value if DATE.match(value) else ""
    if input_type == "time":
        return value if TIME.match(value) else ""
    if input_type == "datetime-local":
        return value.replace(" ", "T") if DATETIME_LOCAL.match(value) else ""
    if input_type == "month":
        return value if MONTH.match(value) else ""
    if input_type in {"number", "range"}:
        return value if NUMBER.match(value) else ""
    return value  # hidden and the rest keep what the page wrote


@dataclass
class Control:
    tag: str  # input, select, textarea, button
    type: str
    name: str
    value: str = ""  # as written in the HTML (an input's value attribute)
    checked: bool = False
    disabled: bool = False
    options: list[tuple[str, bool, bool]] = field(default_factory=list)  # value, selected, disabled
    multiple: bool = False

    @property
    def rejected(self) -> bool:
        """An input whose written value the browser throws away."""
        return self.tag == "input" and bool(self.value) and not sanitize(self.type, self.value)


@dataclass
class Form:
    method: str
    action: str
    attrs: dict
    controls: list[Control] = field(default_factory=list)
    testids: set[str] = field(default_factory=set)  # data-testid of the elements inside

    @property
    def names(self) -> set[str]:
        return {control.name for control in self.controls if control.name}

    def submission(self) -> list[tuple[str, str]]:
        """The entry list a browser builds when the form's first submit button is pressed."""
        entries = []
        submitter_seen = False
        for control in self.controls:
            if control.disabled or not control.name:
                if control.tag in {"input", "button"} and control.type == "submit":
                    submitter_seen = True
                continue
            pressable = control.tag == "input" and control.type in NOT_SUBMITTED
            if control.tag == "button" or pressable:
                if control.type == "submit" and not submitter_seen:
                    submitter_seen = True
                    entries.append((control.name, control.value))
                continue
            if control.tag == "input" and control.type in {"checkbox", "radio"}:
                if control.checked:
                    entries.append((control.name, control.value or "on"))
            elif control.tag == "select":
                chosen = [value for value, selected, _disabled in control.options if selected]
                if not chosen and not control.multiple:
                    enabled = [value for value, _sel, disabled in control.options if not disabled]
                    chosen = enabled[:1]
                entries.extend((control.name, value) for value in chosen)
            elif control.tag == "textarea":
                # Browsers submit a textarea's line breaks as CR LF.
                text = control.value.replace("\r\n", "\n").replace("\n", "\r\n")
                entries.append((control.name, text))
            else:
                entries.append((control.name, sanitize(control.type, control.value)))
        return entries


class _FormsParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.inputs_outside: list[Control] = []
        self.links: dict[str, str] = {}  # data-testid → href of each link that has both
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: list | None = None  # [value or None, selected, disabled, text]
        self._textarea: Control | None = None
        self._button: Control | None = None

    def _add(self, control: Control) -> None:
        (self._form.controls if self._form else self.inputs_outside).append(control)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: (value if value is not None else "") for name, value in attrs}
        if tag == "a" and "data-testid" in a and "href" in a:
            self.links[a["data-testid"]] = a["href"]
        if "data-testid" in a and self._form is not None:
            self._form.testids.add(a["data-testid"])
        if tag == "form":
            self._form = Form(
                method=a.get("method", "get").lower(), action=a.get("action", ""), attrs=a
            )
            self.forms.append(self._form)
            if "data-testid" in a:
                self._form.testids.add(a["data-testid"])
        elif tag == "input":
            self._add(
                Control(
                    tag="input",
                    type=a.get("type", "text").lower(),
                    name=a.get("name", ""),
                    value=a.get("value", ""),
                    checked="checked" in a,
                    disabled="disabled" in a,
                )
            )
        elif tag == "select":
            self._select = Control(
                tag="select",
                type="select",
                name=a.get("name", ""),
                disabled="disabled" in a,
                multiple="multiple" in a,
            )
            self._add(self._select)
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = [a.get("value"), "selected" in a, "disabled" in a, ""]
        elif tag == "textarea":
            self._textarea = Control(
                tag="textarea", type="textarea", name=a.get("name", ""), disabled="disabled" in a
            )
            self._add(self._textarea)
        elif tag == "button":
            self._button = Control(
                tag="button",
                type=a.get("type", "submit").lower(),
                name=a.get("name", ""),
                value=a.get("value", ""),
                disabled="disabled" in a,
            )
            self._add(self._button)

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[3] += data
        elif self._textarea is not None:
            self._textarea.value += data

    def _close_option(self) -> None:
        if self._option is not None and self._select is not None:
            value, selected, disabled, text = self._option
            if value is None:  # an option without a value submits its text
                value = " ".join(text.split())
            self._select.options.append((value, selected, disabled))
        self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The parser drops one line break right after <textarea>.
            if self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None
        elif tag == "button":
            self._button = None
        elif tag == "form":
            self._form = None


def browser_forms(page) -> list[Form]:
    return _parsed(page).forms


def rejected_inputs(page) -> list[Control]:
    """Every input on the page whose written value a browser would throw away."""
    parser = _parsed(page)
    controls = [c for form in parser.forms for c in form.controls] + parser.inputs_outside
    return [control for control in controls if control.rejected]


def form_with(page, name: str) -> Form:
    """The one form of the page that holds a control called `name`."""
    [form] = [form for form in browser_forms(page) if name in form.names]
    return form


def _html(page) -> str:
    """A page's HTML, from a test client response or a string."""
    return page if isinstance(page, str) else page.content.decode()


def _parsed(page) -> _FormsParser:
    parser = _FormsParser()
    parser.feed(_html(page))
    parser.close()
    return parser


def form_holding(page, testid: str) -> Form:
    """The one form of the page that holds the element (or is the form) `testid`."""
    [form] = [form for form in _parsed(page).forms if testid in form.testids]
    return form


def link_to(page, testid: str) -> str:
    """Where the page's link `testid` leads."""
    return _parsed(page).links[testid]
