"""Every form round-trips: what a page renders, a browser submits, and nothing stored changes.

The suite once passed while every zh-hans edit form erased its dates: the test client posted
what the tests wrote ("2027/03/05" parses fine), a browser posts what the page rendered, and a
date box drops "2027/03/05". These tests find the forms themselves, the way a person does:

1. sign in (in zh-hans and in English, as a director and as the project's owner) and follow
   every link of the site from the home page and the records of a fully filled world;
2. on every page, find each edit form — a Django ModelForm of a stored record in the page's
   context — and the HTML <form> that renders it;
3. submit exactly what Chromium would submit from that HTML (tests/browser_forms.py: inputs
   sanitised as a browser does, selects, checkboxes, textareas with CR LF);
4. assert the save was accepted and every field of every row of the record's model is as before.

A form added later is found the same way; `test_every_model_form_is_round_tripped` fails if a
ModelForm of ours is never rendered as an edit form, unless it is create-only by design below.
Every input of every page must also carry a value a browser keeps (no "2027/03/05" in a date
box, no "4,450,000" in a number box), create forms and filters included.
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client

from tests.browser_forms import browser_forms, rejected_inputs
from tests.full_world import world_fixture  # noqa: F401 (the `world` fixture)

# Forms that only ever create a record (there is nothing stored to round-trip); every other
# ModelForm of ours must be found as an edit form. Say why when adding one here.
CREATE_ONLY = {
    "ContactForm": "contacts are added on the customer page and not edited there",
    "ReviewActionItemForm": "action items are added during the review and not edited",
}
# Pages the crawl does not open: leaving, the admin (Django's own forms), the API, downloads,
# feeds and the language switch (a POST that changes the person's profile).
SKIPPED_PREFIXES = ("/accounts/logout", "/admin/", "/api/", "/static/", "/language/")
SKIPPED_SUFFIXES = (".csv", ".xlsx", ".ics")
PAGE_LIMIT = 400
OUR_APPS = {"core", "projects", "collaboration"}


# --- reading pages the way a browser does ---------------------------------------------------
class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, bool]] = []  # (url, is an htmx request)

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append((a["href"], False))
        if a.get("hx-get"):
            self.links.append((a["hx-get"], True))


def _links(html: str) -> list[tuple[str, bool]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _followed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or parts.fragment and not parts.path:
        return False
    path = parts.path
    return (
        path.startswith("/")
        and not path.startswith(SKIPPED_PREFIXES)
        and not path.endswith(SKIPPED_SUFFIXES)
    )


def _context_forms(response) -> list[forms.BaseModelForm]:
    """The ModelForms of stored records that the page's templates were given."""
    found, seen = [], set()

    def walk(value, depth: int) -> None:
        if isinstance(value, forms.BaseModelForm):
            if value.instance.pk and not value.is_bound and id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        elif depth and isinstance(value, dict):
            for item in value.values():
                walk(item, depth - 1)
        elif depth and isinstance(value, list | tuple):
            for item in value:
                walk(item, depth - 1)

    contexts = response.context
    if contexts is None:
        return found
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        for layer in context.dicts:
            for value in layer.values():
                walk(value, 3)
    return found


def _rows(model: type[models.Model]) -> dict:
    """Every row of the model with every field a save must not change (not auto_now)."""
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if not getattr(f, "auto_now", False) and not f.generated
    ]
    rows = {row["pk"]: row for row in model.objects.values("pk", *fields)}
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        source = m2m.m2m_field_name()
        target = m2m.m2m_reverse_field_name()
        for pk, other in through.objects.values_list(f"{source}_id", f"{target}_id"):
            if pk in rows:
                rows[pk].setdefault(m2m.name, set()).add(other)
    return rows


def _differences(before: dict, after: dict) -> list[str]:
    changes = []
    for pk, row in before.items():
        new = after.get(pk)
        if new is None:
            changes.append(f"row {pk} was deleted")
            continue
        for name in sorted(set(row) | set(new)):
            if row.get(name) != new.get(name):
                changes.append(f"row {pk}: {name} {row.get(name)!r} → {new.get(name)!r}")
    changes.extend(f"row {pk} was added" for pk in set(after) - set(before))
    return changes


def _signed_in(user, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _crawl(client: Client, starts: list[str]):
    """Every page reachable by links and htmx gets from `starts`, once per path."""
    queue = deque((url, False) for url in starts)
    seen: set[str] = set()
    while queue and len(seen) < PAGE_LIMIT:
        url, htmx = queue.popleft()
        path = urlsplit(url).path
        if path in seen or not _followed(url):
            continue
        seen.add(path)
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, headers=headers)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        yield url, response, html
        queue.extend((urljoin(url, link), is_htmx) for link, is_htmx in _links(html))


def _matching_html_forms(html: str, form: forms.BaseModelForm):
    names = {field.html_name for field in form}
    return [f for f in browser_forms(html) if f.method == "post" and names <= f.names]


def _round_trip(client, url, html, form, html_form) -> list[str]:
    model = type(form.instance)
    before = _rows(model)
    action = urljoin(url, html_form.action) if html_form.action else url
    response = client.post(
        action,
        urlencode(html_form.submission()),
        content_type="application/x-www-form-urlencoded",
    )
    problems = []
    if response.status_code not in (302, 303):
        errors = [
            f"{name}: {list(errs)}"
            for bound in _context_forms_bound(response)
            for name, errs in bound.errors.items()
        ]
        problems.append(f"answered {response.status_code}, not a redirect; errors {errors}")
    problems.extend(_differences(before, _rows(model)))
    return problems


def _context_forms_bound(response) -> list[forms.BaseForm]:
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    found = []
    for context in contexts:
        for layer in context.dicts:
            for value in layer.values():
                values = value.values() if isinstance(value, dict) else [value]
                found.extend(v for v in values if isinstance(v, forms.BaseForm) and v.is_bound)
    return found


def _starts(world) -> list[str]:
    starts = ["/"]
    for project in world["projects"]:
        starts.append(project.get_absolute_url())
        starts.extend(task.get_absolute_url() for task in project.tasks.all())
        starts.extend(review.get_absolute_url() for review in project.reviews.all())
        starts.append(project.customer.get_absolute_url())
    return starts


def _walk_and_submit(world, who: str, language: str) -> tuple[set[str], list[str], list[str]]:
    client = _signed_in(world[who], language)
    covered: set[str] = set()
    failures: list[str] = []
    rejected: list[str] = []
    done: set[tuple[str, str]] = set()
    for url, response, html in _crawl(client, _starts(world)):
        rejected.extend(
            f"{url}: <input type={c.type} name={c.name} value={c.value!r}>"
            for c in rejected_inputs(html)
        )
        for form in _context_forms(response):
            for html_form in _matching_html_forms(html, form):
                key = (type(form).__name__, html_form.action or url)
                if key in done:
                    continue
                done.add(key)
                covered.add(type(form).__name__)
                problems = _round_trip(client, url, html, form, html_form)
                failures.extend(f"{key[0]} on {url} → {key[1]}: {p}" for p in problems)
    return covered, failures, rejected


def _our_model_forms() -> set[str]:
    ours = set()
    stack = list(forms.ModelForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in OUR_APPS:
            ours.add(cls.__name__)
    return ours


LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", ["director", "owner"])
def test_every_edit_form_submits_what_it_rendered_unchanged(world, who, language):
    covered, failures, rejected = _walk_and_submit(world, who, language)
    assert covered, "no edit form was found: the crawl is broken"
    assert not failures, "\n".join(failures)
    # Create forms and filters too: no input carries a value the browser would drop.
    assert not rejected, "\n".join(sorted(set(rejected)))


def test_every_model_form_is_round_tripped(world):
    """A new ModelForm is covered without touching this module — or this test says it is not."""
    covered, _failures, _rejected = _walk_and_submit(world, "director", "zh-hans")
    assert apps.is_installed("projects")
    missing = _our_model_forms() - covered - set(CREATE_ONLY)
    assert not missing, f"edit forms never found on a page: {sorted(missing)}"
    assert not (covered & set(CREATE_ONLY)), "a create-only form has an edit page now"
    # The forms found: the figure the README and the closing note quote.
    print(f"round-tripped {len(covered)} edit forms: {sorted(covered)}")
