"""Small real applications (FastAPI, Django REST framework) for the generator's tests."""

from __future__ import annotations

from collections.abc import Mapping

from gatekeeper.model import Result, Verdict
from gatekeeper.pipeline import GateOptions, run_gate
from tests.conftest import GitRepo

FASTAPI_APP = """\
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="shop", version="1.0.0")


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


class ItemOut(BaseModel):
    id: int
    name: str
    price: float


@app.get("/items/{item_id}", response_model=ItemOut)
def read_item(item_id: int, q: str) -> ItemOut:
    return ItemOut(id=item_id, name=q, price=1.0)


@app.post("/items", response_model=ItemOut)
def create_item(item: Item) -> ItemOut:
    return ItemOut(id=1, name=item.name, price=item.price)


@app.delete("/items/{item_id}")
def delete_item(item_id: int) -> dict[str, int]:
    return {"deleted": item_id}
"""


def fastapi_app(*, drop_delete: bool = False) -> str:
    """The shop with one change."""
    text = FASTAPI_APP
    if drop_delete:
        text = text[: text.index('@app.delete("/items/{item_id}")')]
    return text


def judge(
    repo: GitRepo,
    policy: str,
    base: Mapping[str, str],
    head: Mapping[str, str | None],
    **options: object,
) -> Verdict:
    """Commit base (with the policy) and head, and run the whole gate on them."""
    base_sha = repo.commit({".github/gatekeeper.yml": policy, **base}, "base")
    head_sha = repo.commit(dict(head), "head")
    opts = GateOptions(root=repo.root, base=base_sha, head=head_sha)
    from dataclasses import replace

    return run_gate(replace(opts, **options))


def openapi_results(verdict: Verdict) -> list[Result]:
    """The openapi check's results."""
    (outcome,) = [o for o in verdict.outcomes if o.check == "openapi"]
    return list(outcome.results)


DRF_SETTINGS = """\
SECRET_KEY = "tests-only"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "drf_spectacular",
]
ROOT_URLCONF = "mysite.urls"
DATABASES = {}
USE_TZ = True
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
SPECTACULAR_SETTINGS = {"TITLE": "shop", "VERSION": "1.0.0"}
"""

DRF_URLS = """\
from django.urls import path

from shop import views

urlpatterns = [
    path("items/", views.ItemList.as_view()),
    path("items/<int:pk>/", views.ItemDetail.as_view()),
]
"""

DRF_SERIALIZERS = """\
from rest_framework import serializers


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()
    price = serializers.FloatField()
"""

DRF_VIEWS = """\
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from shop.serializers import ItemSerializer


class ItemList(generics.GenericAPIView):
    serializer_class = ItemSerializer

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)])
    def get(self, request):
        return Response({"id": 1, "name": "x", "price": 1.0})

    def post(self, request):
        return Response({"id": 1, "name": "x", "price": 1.0})


class ItemDetail(generics.GenericAPIView):
    serializer_class = ItemSerializer

    @extend_schema(parameters=[OpenApiParameter("pk", int, OpenApiParameter.PATH)])
    def get(self, request, pk):
        return Response({"id": pk, "name": "x", "price": 1.0})

    @extend_schema(parameters=[OpenApiParameter("pk", int, OpenApiParameter.PATH)])
    def delete(self, request, pk):
        return Response(status=204)
"""

#: the Django project at base
DRF_PROJECT = {
    "mysite/__init__.py": "",
    "mysite/settings.py": DRF_SETTINGS,
    "mysite/urls.py": DRF_URLS,
    "shop/__init__.py": "",
    "shop/serializers.py": DRF_SERIALIZERS,
    "shop/views.py": DRF_VIEWS,
}


def rules_by_severity(verdict: Verdict) -> dict[str, list[str]]:
    """The openapi check's rule ids by severity name (BLOCK, WARN, INFO)."""
    out: dict[str, list[str]] = {"BLOCK": [], "WARN": [], "INFO": []}
    for r in openapi_results(verdict):
        out.setdefault(r.severity.name, []).append(r.finding.rule)
    return out


def line_of(text: str, start: str) -> int:
    """The 1-based number of the first line of ``text`` starting with ``start``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(start))


NINJA_API = """\
from ninja import NinjaAPI, Schema

api = NinjaAPI(title="shop", version="1.0.0")


class ItemIn(Schema):
    name: str
    price: float


class ItemOut(Schema):
    id: int
    name: str


@api.get("/items/{item_id}", response=ItemOut)
def read_item(request, item_id: int, q: str):
    return {"id": item_id, "name": q}


@api.post("/items", response=ItemOut)
def create_item(request, item: ItemIn):
    return {"id": 1, "name": item.name}


@api.delete("/items/{item_id}")
def delete_item(request, item_id: int):
    return {"deleted": item_id}
"""

#: a Django project serving a django-ninja API under /api/
NINJA_PROJECT = {
    "mysite/__init__.py": "",
    "mysite/settings.py": (
        'SECRET_KEY = "tests-only"\n'
        'INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]\n'
        'ROOT_URLCONF = "mysite.urls"\nDATABASES = {}\nUSE_TZ = True\n'
    ),
    "mysite/urls.py": (
        "from django.urls import path\n\nfrom mysite.api import api\n\n"
        'urlpatterns = [path("api/", api.urls)]\n'
    ),
    "mysite/api.py": NINJA_API,
}

FLASK_APP = """\
import marshmallow as ma
from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint


class ItemSchema(ma.Schema):
    id = ma.fields.Int(dump_only=True)
    name = ma.fields.String(required=True)


blp = Blueprint("items", "items", url_prefix="/items")


@blp.route("/")
class Items(MethodView):
    @blp.arguments(ItemSchema)
    @blp.response(201, ItemSchema)
    def post(self, item):
        return item


@blp.route("/<int:item_id>")
class ItemById(MethodView):
    @blp.response(200, ItemSchema)
    def get(self, item_id):
        return {}

    @blp.response(204)
    def delete(self, item_id):
        return None


def create_app():
    app = Flask(__name__)
    app.config.update(API_TITLE="shop", API_VERSION="1.0.0", OPENAPI_VERSION="3.0.3")
    api = Api(app)
    api.register_blueprint(blp)
    return app
"""

LITESTAR_APP = """\
from dataclasses import dataclass

from litestar import Litestar, delete, get, post


@dataclass
class Item:
    name: str


@get("/items/{item_id:int}")
async def read_item(item_id: int) -> Item:
    return Item("x")


@post("/items")
async def create_item(data: Item) -> Item:
    return data


@delete("/items/{item_id:int}")
async def delete_item(item_id: int) -> None:
    return None


app = Litestar([read_item, create_item, delete_item])
"""
