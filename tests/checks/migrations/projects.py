"""Small real projects for the round-trip tests: an Alembic application whose env.py
imports its models package and reads its settings, and a Django project with two apps."""

from __future__ import annotations

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
sqlalchemy.url = postgresql://placeholder/never-used

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic

[formatter_generic]
format = %(levelname)s %(message)s
"""

# env.py as projects write it: the models' metadata, the URL from the app's settings
ENV_PY = """\
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from shopapp import settings
from shopapp.models import Base

config = context.config
fileConfig(config.config_file_name)
config.set_main_option("sqlalchemy.url", settings.DATABASE_URL)


def run_migrations_online():
    engine = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
"""

SETTINGS_PY = """\
import os

DATABASE_URL = os.environ["DATABASE_URL"]
"""

MODELS_PY = """\
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

from shopapp.types import Email

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(Email())
"""

TYPES_PY = """\
import sqlalchemy as sa


class Email(sa.types.TypeDecorator):
    impl = sa.String(320)
    cache_ok = True
"""

# the first revision imports the application: it cannot run on its own
A1 = """\
import sqlalchemy as sa
from alembic import op

from shopapp.types import Email

revision = "a1"
down_revision = None


def upgrade():
    op.create_table(
        "users", sa.Column("id", sa.Integer, primary_key=True), sa.Column("email", Email())
    )


def downgrade():
    op.drop_table("users")
"""

B2 = """\
import sqlalchemy as sa
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(40)))
    with op.get_context().autocommit_block():
        op.create_index("ix_users_nickname", "users", ["nickname"],
                        postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_users_nickname", "users", postgresql_concurrently=True)
    op.drop_column("users", "nickname")
"""


def alembic_app() -> dict[str, str]:
    """The application at base: one revision that imports the app's own types."""
    return {
        "alembic.ini": ALEMBIC_INI,
        "shopapp/__init__.py": "",
        "shopapp/settings.py": SETTINGS_PY,
        "shopapp/models.py": MODELS_PY,
        "shopapp/types.py": TYPES_PY,
        "migrations/env.py": ENV_PY,
        "migrations/versions/a1_users.py": A1,
    }


# --- Django ----------------------------------------------------------------------------

MANAGE_PY = """\
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""

DJANGO_SETTINGS = """\
SECRET_KEY = "test-only"
INSTALLED_APPS = ["catalog", "orders"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/nonexistent/db"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
"""

CATALOG_0001 = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Product",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("sku", models.CharField(max_length=20)),
            ],
        ),
    ]
"""

ORDERS_0001 = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("catalog", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("product", models.ForeignKey("catalog.Product", on_delete=models.CASCADE)),
            ],
        ),
    ]
"""

CATALOG_0002 = """\
from django.db import migrations, models


def fill(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    Product.objects.update(note="")


def empty(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [
        migrations.AddField("product", "note", models.TextField(null=True)),
        migrations.RunPython(fill, empty),
        migrations.AddIndex("product", models.Index(fields=["sku"], name="ix_sku")),
    ]
"""


def django_project() -> dict[str, str]:
    """A Django project with two apps, the second depending on the first."""
    return {
        "manage.py": MANAGE_PY,
        "mysite/__init__.py": "",
        "mysite/settings.py": DJANGO_SETTINGS,
        "catalog/__init__.py": "",
        "catalog/models.py": "",
        "catalog/migrations/__init__.py": "",
        "catalog/migrations/0001_initial.py": CATALOG_0001,
        "orders/__init__.py": "",
        "orders/models.py": "",
        "orders/migrations/__init__.py": "",
        "orders/migrations/0001_initial.py": ORDERS_0001,
    }


def alembic_revision(
    folder: str, n: int, up: str, down_op: str, *, prefix: str = "r"
) -> dict[str, str]:
    """Revision ``n`` of a linear Alembic chain in ``folder`` (``{prefix}000`` first, each
    revising the one before) whose upgrade runs ``up`` and downgrade ``down_op``."""
    down = "None" if n == 0 else f'"{prefix}{n - 1:03d}"'
    text = (
        f'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "{prefix}{n:03d}"\n'
        f"down_revision = {down}\n\n\ndef upgrade():\n    {up}\n\n\ndef downgrade():\n"
        f"    {down_op}\n"
    )
    return {f"{folder}/{prefix}{n:03d}_step.py": text}
