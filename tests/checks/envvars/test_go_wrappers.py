"""Go reads through the repository's own helpers in another package (text_gowrappers),
and their documentation by a config file's ``key = value`` lines, on real git repositories."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.envvars.configdocs import ini_keys
from gatekeeper.checks.envvars.docmarkdown import parse_markdown
from gatekeeper.checks.envvars.docs import Documentation
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

GO_MOD = "module example.com/app\n\ngo 1.22\n"
#: casdoor's layout: the environment first, then the config file; a bool over the string
CONF = """package conf

import (
	"os"
	"strconv"
)

func GetConfigString(key string) string {
	if value, ok := os.LookupEnv(key); ok {
		return value
	}
	return fileValue(key)
}

func GetConfigBool(key string) bool {
	return GetConfigString(key) == "true"
}

func GetConfigInt64(key string) (int64, error) {
	return strconv.ParseInt(GetConfigString(key), 10, 64)
}
"""
#: a helper that reads only a map with its parameter: no environment read
STORE = """package conf

var values = map[string]string{}

func fileValue(key string) string {
	return values[key]
}

func GetStored(key string) string {
	return values[key]
}
"""
BASE = {
    "go.mod": GO_MOD,
    "conf/conf.go": CONF,
    "conf/store.go": STORE,
    "conf/app.conf": "appname = app\n",
}


def _user(call: str) -> str:
    return (
        "package object\n\n"
        'import (\n\t"example.com/app/conf"\n)\n\n'
        f"func Setting() bool {{\n\treturn {call}\n}}\n"
    )


def _names(found: list[Finding]) -> list[str]:
    return sorted(f.message.split()[0] for f in found if f.rule == "undocumented")


def test_a_literal_given_to_another_packages_env_helper_fires(git_repo: Any) -> None:
    head = {"object/token.go": _user('conf.GetConfigBool("useGroupPathInToken")')}
    found = run_on_git(git_repo, BASE, head)
    assert _names(found) == ["useGroupPathInToken"]
    message = next(f.message for f in found if f.rule == "undocumented")
    assert "conf.GetConfigBool() → GetConfigString() → os.Getenv" in message


def test_a_helper_reading_only_a_map_reads_no_variable(git_repo: Any) -> None:
    head = {"object/token.go": _user('conf.GetStored("useGroupPathInToken") == ""')}
    assert _names(run_on_git(git_repo, BASE, head)) == []


def test_a_non_literal_argument_is_no_named_read_and_does_not_crash(git_repo: Any) -> None:
    head = {
        "object/token.go": _user("conf.GetConfigBool(name())")
        + '\nfunc name() string { return "" }\n'
    }
    found = run_on_git(git_repo, BASE, head)
    assert _names(found) == []
    assert all(f.level.name != "ERROR" for f in found if f.rule != "undocumented")


def test_a_helper_of_a_helper_in_a_third_package_fires(git_repo: Any) -> None:
    # settings.Flag calls conf.GetConfigBool with its own parameter: a wrapper two packages up
    flag = (
        'package settings\n\nimport "example.com/app/conf"\n\n'
        "func Flag(name string) bool {\n\treturn conf.GetConfigBool(name)\n}\n"
    )
    base = {**BASE, "settings/flag.go": flag}
    head = {
        "object/token.go": (
            'package object\n\nimport "example.com/app/settings"\n\n'
            'func On() bool {\n\treturn settings.Flag("enableErrorMask2")\n}\n'
        )
    }
    assert _names(run_on_git(git_repo, base, head)) == ["enableErrorMask2"]


def test_an_unimported_package_of_the_same_name_is_no_helper(git_repo: Any) -> None:
    # ``conf`` here is a local variable with a method, not the repository's package
    head = {
        "object/token.go": (
            "package object\n\ntype c struct{}\n\nfunc (c) GetConfigBool(k string) bool"
            " { return false }\n\nfunc On() bool {\n\tvar conf c\n"
            '\treturn conf.GetConfigBool("useGroupPathInToken")\n}\n'
        )
    }
    assert _names(run_on_git(git_repo, BASE, head)) == []


def test_a_key_the_app_conf_sets_documents_it(git_repo: Any) -> None:
    head = {
        "object/token.go": _user('conf.GetConfigBool("useGroupPathInToken")'),
        "conf/app.conf": "appname = app\nuseGroupPathInToken = false\n",
    }
    assert _names(run_on_git(git_repo, BASE, head)) == []


def test_an_existing_key_of_the_app_conf_is_documented(git_repo: Any) -> None:
    base = {**BASE, "conf/app.conf": "appname = app\nredisEndpoint =\n"}
    head = {"object/token.go": _user('conf.GetConfigString("redisEndpoint") != ""')}
    assert _names(run_on_git(git_repo, base, head)) == []


def test_ini_keys_reads_live_lines_only() -> None:
    doc = Documentation()
    text = "# commentedKey = 1\nother = valueKey\n  liveKey=1\n"
    ini_keys("conf/app.conf", text, {"commentedkey", "valuekey", "livekey"}, doc)
    assert sorted(doc.keys) == ["livekey"]
    assert doc.find_key("liveKey") == ("conf/app.conf", 3)


def test_a_camel_case_key_in_a_docs_table_is_documented() -> None:
    doc = Documentation()
    parse_markdown("docs/configuration.md", "| `redisEndpoint` | (empty) | Redis |\n", doc)
    assert doc.find_key("redisEndpoint") is not None


def test_a_method_call_of_the_helpers_name_in_its_package_is_no_read(git_repo: Any) -> None:
    # in package conf, ``q.GetConfigString("x")`` is a method of q, not the helper
    head = {
        "conf/query.go": (
            "package conf\n\ntype query struct{}\n\n"
            "func (query) GetConfigString(k string) string { return k }\n\n"
            'func Mode() string {\n\tvar q query\n\treturn q.GetConfigString("mode")\n}\n'
        )
    }
    assert _names(run_on_git(git_repo, BASE, head)) == []


def test_a_method_reading_its_parameter_is_no_package_helper(git_repo: Any) -> None:
    # a method wrapper is called on a value: ``conf.Get("x")`` would be no call of it
    base = {
        **BASE,
        "conf/env.go": (
            'package conf\n\nimport "os"\n\ntype Env struct{}\n\n'
            "func (Env) Get(key string) string { return os.Getenv(key) }\n"
        ),
    }
    head = {
        "object/token.go": (
            'package object\n\nimport "net/url"\n\n'
            'func Q(u *url.URL) string {\n\treturn u.Query().Get("page")\n}\n'
        )
    }
    assert _names(run_on_git(git_repo, base, head)) == []


def test_a_change_that_makes_a_helper_read_the_environment_fires(git_repo: Any) -> None:
    # at base GetStored read only the map; the change makes it read the environment: its
    # call sites the change touches become new reads (the base side builds its own index)
    store = STORE.replace(
        "func GetStored(key string) string {\n\treturn values[key]\n}",
        "func GetStored(key string) string {\n\treturn GetConfigString(key)\n}",
    )
    base = {**BASE, "object/token.go": _user('conf.GetStored("enableErrorMask2") == ""')}
    assert _names(run_on_git(git_repo, base, {"conf/store.go": store})) == []
    found = run_on_git(
        git_repo,
        base,
        {
            "conf/store.go": store,
            "object/token.go": _user('conf.GetStored("enableErrorMask2") != ""'),
        },
    )
    assert _names(found) == ["enableErrorMask2"]
