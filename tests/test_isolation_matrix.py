"""The cross-tenant matrix: tenant B against tenant A's rows on every router route.

Routes, filters and writable relations are discovered, so a new endpoint is covered
the day it is registered. Every case also proves A's rows are unchanged afterwards.

On PostgreSQL every row-level case runs twice: with every layer, and with the
application's filters and write guards switched off as the runtime role, so that
row-level security alone must give the same answers ("rls-only").
"""

from __future__ import annotations

import re

import pytest
from django.db.models import Max
from rest_framework import serializers

from comms.models import Channel
from core.references import public_reference
from core.tenancy import Access, is_tenant_scoped, socket_database_threads_stop, tenant_context, unscoped_all_tenants
from tests.isolation import Route, build_world, router_routes, row_count, snapshot
from tests.plugin import api_client_for
from tests.rls import ON_POSTGRESQL, database_layer_only
from tests.sockets import SOCKET_CASES, converse, in_process_ticket

ROUTES = router_routes()
# Routes over shared (global) models have no tenant rows to leak; they still refuse a
# foreign tenant's header or host like every other route.
SCOPED_ROUTES = [r for r in ROUTES if is_tenant_scoped(r.model)]
LIST_ROUTES = [r for r in SCOPED_ROUTES if not r.detail and "get" in r.methods]
DETAIL_CASES = [(r, m) for r in SCOPED_ROUTES if r.detail for m in r.methods]
ALL_CASES = [(r, m) for r in ROUTES for m in r.methods]
WRITE_BODY_METHODS = {"post", "put", "patch"}


def writable_relations(route: Route) -> list[str]:
    fields = route.view.serializer_class().fields
    names = []
    for name, field in fields.items():
        related = getattr(field, "child_relation", field)
        queryset = getattr(related, "queryset", None)
        if not field.read_only and queryset is not None and is_tenant_scoped(queryset.model):
            names.append(name)
    return names


CREATE_CASES = [(r, f) for r in SCOPED_ROUTES if not r.detail and "post" in r.methods for f in writable_relations(r)]
UPDATE_CASES = [
    (r, m, f)
    for r in SCOPED_ROUTES
    if r.detail
    for m in ("put", "patch")
    if r.actions.get(m) in ("update", "partial_update")
    for f in writable_relations(r)
]


@pytest.fixture
def worlds(tenant_a, tenant_b, owner_a, owner_b):
    return build_world(tenant_a, owner_a), build_world(tenant_b, owner_b)


@pytest.fixture(params=["all-layers", "rls-only"] if ON_POSTGRESQL else ["all-layers"])
def layers(request, worlds):
    """Which layers keep the tenants apart for the case (the worlds are built first)."""
    if request.param == "rls-only":
        with database_layer_only():
            yield request.param
    else:
        yield request.param


@pytest.fixture
def as_b(route_under_test, owner_b, tenant_b):
    """B's client: B's token for tenant routes, B's header for public ones."""
    if route_under_test.access is Access.PUBLIC:
        return api_client_for(HTTP_X_TENANT_SLUG=tenant_b.slug)
    return api_client_for(owner_b)


@pytest.fixture
def route_under_test(request):
    return request.param


def payload_for(route: Route, instance, tenant) -> dict:
    """A body B could validly send: its own row, serialized, without read-only fields."""
    with tenant_context(tenant):
        serializer = route.view.serializer_class(instance)
        data = serializer.data
        return {name: data[name] for name, f in serializer.fields.items() if not f.read_only and name in data}


def foreign_value(route: Route, field_name: str, world):
    field = route.view.serializer_class().fields[field_name]
    related = getattr(field, "child_relation", field)
    pk = world[related.queryset.model].pk
    return [pk] if isinstance(field, serializers.ManyRelatedField) else pk


def missing_pk(model) -> int:
    with unscoped_all_tenants("test missing pk"):
        return (model._base_manager.aggregate(top=Max("pk"))["top"] or 0) + 100_000


def send(client, method: str, url: str, body: dict | None = None, **extra):
    if method in WRITE_BODY_METHODS:
        return getattr(client, method)(url, body or {}, format="json", **extra)
    return getattr(client, method)(url, **extra)


def identity(route: Route) -> str:
    """What a route's rows are told apart by: their ``id``, or on the public pages, which
    show no sequence ids, their ``ref`` (core.references)."""
    return "id" if "id" in route.view.serializer_class().fields else "ref"


def key_of(route: Route, row) -> int | str:
    return row.pk if identity(route) == "id" else public_reference(row)


def result_ids(response, route: Route) -> set:
    body = response.json()
    items = body["results"] if isinstance(body, dict) and "results" in body else body
    return {item[identity(route)] for item in items}


def own_ids(route: Route, tenant) -> set:
    with tenant_context(tenant):
        view = route.view()
        queryset = view.refine_queryset(route.model.objects.all()) if hasattr(view, "refine_queryset") else None
        if identity(route) == "id":
            return set(queryset.values_list("pk", flat=True))
        return {public_reference(row) for row in queryset}


@pytest.mark.parametrize("route_under_test", LIST_ROUTES, ids=str, indirect=True)
def test_list_shows_only_own_rows(route_under_test, worlds, layers, as_b, tenant_a, tenant_b):
    route = route_under_test
    world_a, _ = worlds
    before = snapshot(tenant_a)
    response = as_b.get(route.url_in(worlds[1]))
    assert response.status_code == 200, response.content
    ids = result_ids(response, route)
    assert key_of(route, world_a[route.model]) not in ids
    assert ids <= own_ids(route, tenant_b)
    assert response.json()["count"] == len(ids)
    assert snapshot(tenant_a) == before


@pytest.mark.parametrize("route_under_test", LIST_ROUTES, ids=str, indirect=True)
def test_filters_search_and_ordering_never_reach_foreign_rows(route_under_test, worlds, layers, as_b, tenant_a):
    route = route_under_test
    world_a, _ = worlds
    foreign = world_a[route.model]
    queries = [{"search": str(foreign)}, {"search": foreign.pk}]
    for name, filter_ in _filters(route).items():
        model = getattr(getattr(filter_, "queryset", None), "model", None) or _filter_related_model(route, filter_)
        if model is not None and model in world_a:
            queries.append({name: world_a[model].pk})
    for ordering in getattr(route.view, "ordering_fields", None) or []:
        queries.append({"ordering": f"-{ordering}"})
    for query in queries:
        response = as_b.get(route.url_in(worlds[1]), query)
        assert response.status_code in (200, 400), (query, response.content)
        if response.status_code == 200:
            assert key_of(route, foreign) not in result_ids(response, route), query
            assert response.json()["count"] == len(result_ids(response, route))


def _filters(route: Route) -> dict:
    from django_filters.rest_framework import DjangoFilterBackend

    view = route.view()
    view.request = None
    backend = DjangoFilterBackend()
    with unscoped_all_tenants("test filter discovery"):
        filterset_class = backend.get_filterset_class(view, route.model._base_manager.none())
    return dict(filterset_class.base_filters) if filterset_class else {}


def _filter_related_model(route: Route, filter_):
    try:
        field = route.model._meta.get_field(filter_.field_name)
    except Exception:
        return None
    return field.related_model if field.is_relation and is_tenant_scoped(field.related_model) else None


@pytest.mark.parametrize("route_under_test,field_name", CREATE_CASES, ids=str, indirect=["route_under_test"])
def test_create_naming_a_foreign_row_is_refused(route_under_test, field_name, worlds, layers, as_b, tenant_a, tenant_b):
    route = route_under_test
    world_a, world_b = worlds
    body = payload_for(route, world_b[route.model], tenant_b)
    before_a, count_b = snapshot(tenant_a), row_count(route.model, tenant_b)

    url = route.url_in(world_b)
    foreign = send(as_b, "post", url, {**body, field_name: foreign_value(route, field_name, world_a)})
    missing_value = missing_pk(world_a[_related_model(route, field_name)].__class__)
    field = route.view.serializer_class().fields[field_name]
    missing_value = [missing_value] if isinstance(field, serializers.ManyRelatedField) else missing_value
    missing = send(as_b, "post", url, {**body, field_name: missing_value})

    assert foreign.status_code == 400, foreign.content
    assert _without_pks(foreign.json()[field_name]) == _without_pks(missing.json()[field_name])
    assert snapshot(tenant_a) == before_a
    assert row_count(route.model, tenant_b) == count_b


@pytest.mark.parametrize("route_under_test,method,field_name", UPDATE_CASES, ids=str, indirect=["route_under_test"])
def test_update_naming_a_foreign_row_is_refused(
    route_under_test, method, field_name, worlds, layers, as_b, tenant_a, tenant_b
):
    route = route_under_test
    world_a, world_b = worlds
    own = world_b[route.model]
    body = payload_for(route, own, tenant_b)
    before_a, before_b = snapshot(tenant_a), snapshot(tenant_b)

    response = send(
        as_b, method, route.url_in(world_b, own.pk), {**body, field_name: foreign_value(route, field_name, world_a)}
    )

    assert response.status_code == 400, response.content
    assert field_name in response.json()
    assert snapshot(tenant_a) == before_a
    assert snapshot(tenant_b) == before_b


def _related_model(route: Route, field_name: str):
    field = route.view.serializer_class().fields[field_name]
    return getattr(field, "child_relation", field).queryset.model


def _without_pks(messages) -> list[str]:
    return [re.sub(r"\d+", "<pk>", str(m)) for m in messages]


@pytest.mark.parametrize("route_under_test,method", DETAIL_CASES, ids=str, indirect=["route_under_test"])
def test_foreign_object_answers_exactly_like_a_missing_one(
    route_under_test, method, worlds, layers, as_b, tenant_a, tenant_b
):
    route = route_under_test
    world_a, world_b = worlds
    body = payload_for(route, world_b[route.model], tenant_b) if method in WRITE_BODY_METHODS else None
    before = snapshot(tenant_a)

    foreign = send(as_b, method, route.url_in(world_b, world_a[route.model].pk), body)
    missing = send(as_b, method, route.url_in(world_b, missing_pk(route.model)), body)

    assert foreign.status_code == 404, foreign.content
    assert foreign.content == missing.content
    assert snapshot(tenant_a) == before


@pytest.mark.parametrize("route_under_test,method", ALL_CASES, ids=str, indirect=["route_under_test"])
@pytest.mark.parametrize("naming", ["header", "host"])
def test_b_token_naming_tenant_a_is_refused(route_under_test, method, naming, worlds, owner_b, tenant_a, tenant_b):
    route = route_under_test
    _, world_b = worlds
    extra = {"HTTP_X_TENANT_SLUG": tenant_a.slug} if naming == "header" else {"HTTP_HOST": f"{tenant_a.slug}.localhost"}
    client = api_client_for(owner_b, **extra)
    url = route.url_in(world_b, world_b[route.model].pk if route.detail else None)
    body = payload_for(route, world_b[route.model], tenant_b) if method in WRITE_BODY_METHODS else None
    before = snapshot(tenant_a), snapshot(tenant_b)

    response = send(client, method, url, body)

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "tenant_mismatch"
    assert (snapshot(tenant_a), snapshot(tenant_b)) == before


NESTED_CASES = [(r, m) for r in SCOPED_ROUTES if r.parent_model is not None for m in r.methods]


@pytest.mark.parametrize("route_under_test,method", NESTED_CASES, ids=str, indirect=["route_under_test"])
def test_a_foreign_parent_answers_exactly_like_a_missing_one(
    route_under_test, method, worlds, layers, as_b, tenant_a, tenant_b
):
    route = route_under_test
    world_a, world_b = worlds
    pk = world_b[route.model].pk if route.detail else None
    body = payload_for(route, world_b[route.model], tenant_b) if method in WRITE_BODY_METHODS else None
    before = snapshot(tenant_a), snapshot(tenant_b)

    foreign = send(as_b, method, route.url(pk, parent=world_a[route.parent_model].pk), body)
    missing = send(as_b, method, route.url(pk, parent=missing_pk(route.parent_model)), body)

    assert foreign.status_code == 404, foreign.content
    assert foreign.content == missing.content
    assert (snapshot(tenant_a), snapshot(tenant_b)) == before


@pytest.mark.django_db(transaction=True)  # the socket's queries run on a thread of their own
@pytest.mark.parametrize("case", SOCKET_CASES)
def test_sockets_refuse_tenant_b(case, request, settings, tenant_a, tenant_b, owner_a, owner_b):
    """The team-chat socket (tests/test_sockets.py proves it on the real server)."""
    request.addfinalizer(socket_database_threads_stop)  # their connections, before the database goes
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    a_host, b_host = f"{tenant_a.slug}.localhost", f"{tenant_b.slug}.localhost"
    channel_a = build_world(tenant_a, owner_a)[Channel]
    if case == "foreign channel id":
        frames = [{"type": "subscribe", "channel": channel_a.pk}, {"type": "subscribe", "channel": 10**9}]
        foreign, missing = converse(b_host, in_process_ticket(owner_b, b_host), frames)["frames"]
        assert foreign == {**missing, "channel": channel_a.pk} and foreign["code"] == "channel_not_found"
    elif case == "b's ticket on a's host":
        assert converse(a_host, in_process_ticket(owner_b, b_host)) == {"closed": 4401}
    elif case == "reused ticket":
        ticket = in_process_ticket(owner_a, a_host)
        assert "frames" in converse(a_host, ticket, [{"type": "subscribe", "channel": channel_a.pk}])
        assert converse(a_host, ticket) == {"closed": 4401}
    else:
        assert api_client_for().post("/api/comms/ws-ticket/", HTTP_HOST=a_host).status_code == 401
        assert converse(a_host, None) == {"closed": 4401}
