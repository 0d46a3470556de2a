"""Small real applications (FastAPI, Django REST framework) for the generator's tests."""

from __future__ import annotations

from collections.abc import Mapping

from gatekeeper.model import Result, Verdict
from gatekeeper.pipeline import GateOptions, run_gate
from tests.conftest import GitRepo

FASTAPI_APP = '''\
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
'''


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
