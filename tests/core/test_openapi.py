"""The OpenAPI schema says what the API answers (issue 16): every operation documents the
errors any endpoint may give, a 409 without gate criteria matches its documented body, and a
website is stored as the URI the schema promises."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator, FormatChecker
from rest_framework.test import APIClient

from customers.models import Customer
from tests.browser_forms import form_with
from tests.factories import CustomerFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", method, operation


def test_every_operation_documents_the_errors_any_endpoint_may_answer(schema):
    for name, method, operation in _operations(schema):
        statuses = set(operation["responses"])
        expected = {"400", "401", "403", "404", "429"} | ({"409"} if method != "get" else set())
        assert expected <= statuses, (name, sorted(expected - statuses))


def _violations(schema, path, method, status, body) -> list[str]:
    """What is wrong with `body` against the documented response (refs resolved in place)."""
    documented = schema["paths"][path][method]["responses"][status]
    document = {
        **documented["content"]["application/json"]["schema"],
        "components": schema["components"],
    }
    validator = Draft202012Validator(document, format_checker=FormatChecker())
    return [error.message for error in validator.iter_errors(body)]


def test_a_409_without_a_pending_change_matches_the_documented_body(schema, director):
    project = ProjectFactory()
    api = APIClient()
    api.force_authenticate(director)

    response = api.post(reverse("api:project-approve", args=[project.pk]), {}, format="json")

    assert response.status_code == 409
    path = "/api/v1/projects/{id}/approve/"
    assert _violations(schema, path, "post", "409", response.json()) == []


def test_an_international_website_is_stored_as_a_uri_through_the_api(director):
    api = APIClient()
    api.force_authenticate(director)
    body = {"name": "Harbour", "industry": "manufacturing", "region": "east"}

    response = api.post(
        reverse("api:customer-list"), {**body, "website": "https://例子.中国/关于"}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["website"] == "https://xn--fsqu00a.xn--fiqs8s/%E5%85%B3%E4%BA%8E"
    assert FormatChecker().conforms(response.json()["website"], "uri")


def test_an_international_website_is_stored_as_a_uri_from_the_chinese_page(client, director):
    director.language = "zh-hans"
    director.save()
    client.force_login(director)
    customer = CustomerFactory(name="港口集团")
    url = reverse("customers:customer_edit", args=[customer.pk])
    data = dict(form_with(client.get(url).content.decode(), "name").submission())
    data["website"] = "https://港口.中国"

    response = client.post(url, data)

    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).website == "https://xn--6orv52d.xn--fiqs8s"


def test_a_website_too_long_once_encoded_is_refused_next_to_the_field(client, director):
    director.language = "zh-hans"
    director.save()
    client.force_login(director)
    customer = CustomerFactory(name="港口集团")
    url = reverse("customers:customer_edit", args=[customer.pk])
    data = dict(form_with(client.get(url).content.decode(), "name").submission())
    data["website"] = "https://例子.中国/" + "路" * 80

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors["website"] == [
        "请确保该地址转写为 URI 后不超过 300 个字符。"
    ]
    assert Customer.objects.get(pk=customer.pk).website == customer.website


def test_a_website_too_long_once_encoded_is_a_400(director):
    api = APIClient()
    api.force_authenticate(director)
    body = {"name": "Harbour", "industry": "manufacturing", "region": "east"}

    response = api.post(
        reverse("api:customer-list"),
        {**body, "website": "https://例子.中国/" + "路" * 80},
        format="json",
    )

    assert response.status_code == 400
    assert "website" in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "api:customer-list?region=nowhere",
        "api:customer-list?industry=mining-on-mars",
        "api:project-list?stage=done",
        "api:risk-list?level=apocalyptic",
    ],
)
def test_an_unknown_enum_value_in_a_filter_is_a_400(director, query):
    name, _, params = query.partition("?")
    api = APIClient()
    api.force_authenticate(director)

    response = api.get(f"{reverse(name)}?{params}")

    assert response.status_code == 400
    assert params.split("=")[0] in response.json()


def test_a_number_where_the_schema_says_string_is_a_400(manager, project):
    api = APIClient()
    api.force_authenticate(manager)

    response = api.post(
        reverse("api:project-comments", args=[project.pk]), {"body": 0}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"body": ["Not a valid string."]}


@pytest.mark.parametrize("page_size", ["0", "201", "null", "²", "-1"])
def test_a_history_page_size_outside_1_to_200_is_a_400(director, page_size):
    api = APIClient()
    api.force_authenticate(director)
    project = ProjectFactory()

    response = api.get(reverse("api:project-history", args=[project.pk]), {"page_size": page_size})

    assert response.status_code == 400
    assert "page_size" in response.json()
