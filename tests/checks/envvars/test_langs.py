"""The pattern readers of text_langs (Elixir, C#, C/C++, Scala, Swift, Dart, Lua, Perl,
Groovy/Gradle), each firing end to end on a new undocumented read and quiet on what is no
read (a comment, an unrelated call, an assignment, the whole environment); and the
``unread-language`` warning for a source file in a language without a reader."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.envvars.model import EnvRead
from gatekeeper.checks.envvars.text_langs import (
    CSHARP,
    DART,
    ELIXIR,
    GRADLE,
    LUA,
    PERL,
    SCALA,
    SWIFT,
    C,
    reads_in,
)
from gatekeeper.checks.envvars.unread import MAX_NAMED, env_shaped
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

EXAMPLE = {".env.example": "APP_KEY=\n"}

#: (file, a line reading NEW_SETTING, lines that must read nothing)
READS: list[tuple[str, str, list[str]]] = [
    (
        "config/runtime.exs",
        'config :app, url: System.get_env("NEW_SETTING")',
        [
            '# config :app, url: System.get_env("NEW_SETTING")',
            "config :app, all: System.get_env()",
            'config :app, url: MyApp.get_env("NEW_SETTING")',
            'config :app, url: "System.get_env is documented in the guide"',
        ],
    ),
    (
        "config/runtime.exs",
        'secret = System.fetch_env!("NEW_SETTING")',
        ['secret = Application.fetch_env!(:app, "NEW_SETTING")'],
    ),
    (
        # glific d3ff48c003: Dotenvy's env!/3, bare in a file that imports it
        "config/runtime.exs",
        'config :app, size: env!("NEW_SETTING", :integer, 100)\nimport Dotenvy',
        [
            # without the import, a bare env! is another module's function
            'config :app, size: env!("NEW_SETTING", :integer, 100)',
            '# import Dotenvy\nconfig :app, size: env!("NEW_SETTING", :integer, 100)',
            'import Dotenvy\nconfig :app, size: MyApp.env!("NEW_SETTING")',
        ],
    ),
    (
        "config/runtime.exs",
        'config :app, size: Dotenvy.env!("NEW_SETTING", :integer, 100)',
        ['config :app, size: Dotenvy.source([".env"])'],
    ),
    (
        "Program.cs",
        'var v = Environment.GetEnvironmentVariable("NEW_SETTING");',
        [
            '// var v = Environment.GetEnvironmentVariable("NEW_SETTING");',
            '/* Environment.GetEnvironmentVariable("NEW_SETTING") */',
            "var all = Environment.GetEnvironmentVariables();",
            'var v = config.GetValue("NEW_SETTING");',
        ],
    ),
    (
        "src/main.c",
        'const char *v = getenv("NEW_SETTING");',
        [
            '/* const char *v = getenv("NEW_SETTING"); */',
            "extern char *getenv(const char *name);",
            'const char *v = cfg->getenv("NEW_SETTING");',
            'const char *v = mygetenv("NEW_SETTING");',
        ],
    ),
    ("src/main.cpp", 'auto v = std::getenv("NEW_SETTING");', ['// std::getenv("NEW_SETTING")']),
    ("src/main.cc", 'auto v = secure_getenv("NEW_SETTING");', []),
    (
        "src/Main.scala",
        'val v = sys.env.getOrElse("NEW_SETTING", "x")',
        ['// val v = sys.env.getOrElse("NEW_SETTING", "x")', "val v = sys.env.filter(p)"],
    ),
    ("src/Main.scala", 'val v = sys.env("NEW_SETTING")', ['val v = sys.props("NEW_SETTING")']),
    ("src/Main.scala", 'val v = sys.env.get("NEW_SETTING")', []),
    ("src/Main.scala", 'val v = System.getenv("NEW_SETTING")', []),
    (
        "Sources/App/main.swift",
        'let v = ProcessInfo.processInfo.environment["NEW_SETTING"]',
        [
            '// let v = ProcessInfo.processInfo.environment["NEW_SETTING"]',
            'let v = ProcessInfo.processInfo.arguments["NEW_SETTING"]',
        ],
    ),
    (
        "lib/main.dart",
        "final v = Platform.environment['NEW_SETTING'];",
        [
            "// final v = Platform.environment['NEW_SETTING'];",
            "final v = settings.environment['NEW_SETTING'];",
        ],
    ),
    ("lib/main.dart", "const v = String.fromEnvironment('NEW_SETTING');", []),
    (
        "app/init.lua",
        'local v = os.getenv("NEW_SETTING")',
        [
            '-- local v = os.getenv("NEW_SETTING")',
            '--[[ local v = os.getenv("NEW_SETTING") ]]',
            'local v = os.time("NEW_SETTING")',
        ],
    ),
    ("app/init.lua", "local v = os.getenv 'NEW_SETTING'", []),
    (
        "lib/App.pm",
        "my $v = $ENV{NEW_SETTING};",
        [
            "# my $v = $ENV{NEW_SETTING};",
            "$ENV{NEW_SETTING} = 'set for the child';",
            "delete $ENV{NEW_SETTING};",
            "my $v = $CONF{NEW_SETTING};",
        ],
    ),
    ("bin/run.pl", "my $v = $ENV{'NEW_SETTING'} // 'd';", []),
    (
        "build.gradle",
        "version = System.getenv('NEW_SETTING')",
        [
            "// version = System.getenv('NEW_SETTING')",
            "version = project.findProperty('NEW_SETTING')",
        ],
    ),
    ("build.gradle.kts", 'val v = providers.environmentVariable("NEW_SETTING")', []),
    ("src/Tool.groovy", 'def v = System.getenv("NEW_SETTING")', []),
]


def _undocumented(found: list[Finding]) -> list[tuple[str, int | None]]:
    return sorted(
        (f.message.split()[0], f.location.start_line if f.location else None)
        for f in found
        if f.rule == "undocumented"
    )


@pytest.mark.parametrize(("path", "read"), [(p, r) for p, r, _ in READS])
def test_a_new_undocumented_read_fires(git_repo: Any, path: str, read: str) -> None:
    found = run_on_git(git_repo, {path: "\n", **EXAMPLE}, {path: f"\n{read}\n"})
    assert _undocumented(found) == [("NEW_SETTING", 2)]
    assert not [f for f in found if f.rule == "unread-language"]


@pytest.mark.parametrize(("path", "line"), [(p, n) for p, _, nots in READS for n in nots])
def test_what_is_no_read_of_the_variable_must_not_fire(git_repo: Any, path: str, line: str) -> None:
    found = run_on_git(git_repo, {path: "\n", **EXAMPLE}, {path: f"\n{line}\n"})
    assert [f.rule for f in found if f.rule in ("undocumented", "dynamic-name")] == []


@pytest.mark.parametrize(("path", "read"), [(p, r) for p, r, _ in READS])
def test_a_documented_read_passes(git_repo: Any, path: str, read: str) -> None:
    example = {".env.example": "APP_KEY=\nNEW_SETTING=1\n"}
    found = run_on_git(git_repo, {path: "\n", **example}, {path: f"\n{read}\n", **example})
    assert _undocumented(found) == []


def test_a_read_in_an_untouched_file_at_base_is_not_new(git_repo: Any) -> None:
    """The base is searched in the new languages too: a second reader of a known
    variable adds nothing to document."""
    found = run_on_git(
        git_repo,
        {"lib/old.ex": 'x = System.get_env("OLD_SETTING")\n', "lib/new.ex": "\n"},
        {"lib/new.ex": 'y = System.get_env("OLD_SETTING")\n'},
    )
    assert _undocumented(found) == []


def _names(reads: list[EnvRead]) -> list[str]:
    return [r.name for r in reads]


def test_names_keep_their_case_and_computed_names_are_dynamic() -> None:
    assert _names(reads_in('x = System.get_env("app_home")\n', ELIXIR)) == ["app_home"]
    assert _names(reads_in('x = System.get_env("APP_" <> k)\n', ELIXIR)) == [""]
    assert _names(reads_in("x = Environment.GetEnvironmentVariable(key);\n", CSHARP)) == [""]
    assert _names(reads_in('x = getenv("A" + b);\n', C)) == [""]
    assert _names(reads_in("x = getenv(name );\n", C)) == [""]
    assert _names(reads_in("char *secure_getenv(char const *n);\n", C)) == []
    assert _names(reads_in("s/#//; my $v = $ENV{PERL_X}; # note\n", PERL)) == ["PERL_X"]
    assert _names(reads_in("v = Platform.environment['P_$x'];\n", DART)) == [""]
    assert _names(reads_in('v = os.getenv("A" .. b)\n', LUA)) == [""]
    assert _names(reads_in("v = $ENV{$key};\n", PERL)) == [""]
    assert _names(reads_in('v = sys.env("not a name")\n', SCALA)) == []


def test_comments_are_blanked_but_strings_are_not() -> None:
    """A ``//`` in a URL opens no comment; POD is no code; lines stay where they were."""
    src = 'let u = "http://x"; let v = getenv("SWIFT_A")\n/*\n*/ let w = getenv("SWIFT_B")\n'
    assert [(r.name, r.line) for r in reads_in(src, SWIFT)] == [("SWIFT_A", 1), ("SWIFT_B", 3)]
    perl = '=pod\n\n$ENV{IN_POD}\n\n=cut\nmy $x = $#list; my $y = "$ENV{PERL_A}";\n'
    assert [(r.name, r.line) for r in reads_in(perl, PERL)] == [("PERL_A", 6)]
    assert _names(reads_in("System.getenv('A') /* System.getenv('B')", GRADLE)) == ["A"]


# the warning for languages without a reader


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("src/Config.fs", 'let url = Environment.GetEnvironmentVariable "DATABASE_URL"'),
        ("src/config.clj", '(def url (System/getenv "DATABASE_URL"))'),
        ("app/Main.hs", 'url <- lookupEnv "DATABASE_URL"'),
        ("deploy.ps1", "$url = $env:DATABASE_URL"),
        ("R/db.R", 'url <- Sys.getenv("DATABASE_URL")'),
        ("src/app.cr", 'url = ENV["PORT"]'),
    ],
)
def test_unread_language_fires_on_an_environment_shaped_line(
    git_repo: Any, path: str, line: str
) -> None:
    found = run_on_git(git_repo, {path: "\n", **EXAMPLE}, {path: f"\n{line}\n"})
    warned = [f for f in found if f.rule == "unread-language"]
    assert len(warned) == 1 and warned[0].level.value == "warning"
    assert f"{path}:2" in warned[0].message
    assert warned[0].location is not None and warned[0].location.path == path


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("src/Config.fs", "let port = 8080\nlet name = ENVIRONMENT_NAME\n"),  # no env word
        ("src/Config.fs", "// env.get(x) TODO\nlet envelope = SOME_CONST\n"),
        ("docs/config.md", 'Set `Sys.getenv("DATABASE_URL")`.\n'),  # documentation
        ("data/settings.json", '{"env": "DATABASE_URL"}\n'),  # data
        ("yarn.lock", 'env "DATABASE_URL"\n'),  # a lockfile
        ("src/app.fs", '// Code generated by a tool. DO NOT EDIT.\nlet u = getenv("DB_URL")\n'),
        ("src/app.fs", 'let u = getenv("DB_URL") ' + "x" * 3000 + "\n"),  # minified
        ("tests/app.fs", 'let u = getenv("DB_URL")\n'),  # test code
        ("src/app.rb", 'u = ENV["DB_URL"]\n'),  # a language with a reader
        ("src/app.c", 'const char *u = getenv("DB_URL");\n'),
    ],
)
def test_unread_language_must_not_fire(git_repo: Any, path: str, text: str) -> None:
    found = run_on_git(git_repo, {"README.md": "DB_URL\n"}, {path: text})
    assert [f for f in found if f.rule == "unread-language"] == []


def test_unread_language_names_the_first_files_and_counts_the_rest(git_repo: Any) -> None:
    head = {f"src/m{i}.clj": '(System/getenv "DATABASE_URL")\n' for i in range(MAX_NAMED + 2)}
    found = run_on_git(git_repo, {"README.md": "x\n"}, head)
    warned = [f for f in found if f.rule == "unread-language"]
    assert len(warned) == 1
    assert warned[0].message.startswith(f"{MAX_NAMED + 2} changed files")
    assert "src/m0.clj:1 (Clojure)" in warned[0].message and "and 2 more" in warned[0].message
    assert "src/m6.clj" not in warned[0].message


def test_only_added_lines_count(git_repo: Any) -> None:
    """An old read in an edited file was there before the change: no warning for it."""
    old = '(def url (System/getenv "DATABASE_URL"))\n'
    found = run_on_git(git_repo, {"src/db.clj": old}, {"src/db.clj": old + "(def x 1)\n"})
    assert [f for f in found if f.rule == "unread-language"] == []


def test_env_shaped_lines() -> None:
    assert env_shaped('std.posix.getenv("ZIG_TOKEN")')
    assert env_shaped('x = ENV["PORT"]')
    assert not env_shaped('environment = "production"')
    assert not env_shaped("inventory = MAX_ITEMS")
    assert not env_shaped("# ENV")


def test_the_runtime_s_own_variables_need_no_documentation(git_repo: Any) -> None:
    """ASP.NET Core's environment name is the framework's setting, like NODE_ENV."""
    read = 'var e = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT");\n'
    found = run_on_git(git_repo, {"Program.cs": "\n", **EXAMPLE}, {"Program.cs": read})
    assert _undocumented(found) == []


@pytest.mark.parametrize(
    "path", ["Tests/AppTests/ConfigTests.swift", "src/App.Tests/ConfigTests.cs"]
)
def test_swift_and_dotnet_test_targets_are_tests(git_repo: Any, path: str) -> None:
    reads = {
        ".swift": 'let v = ProcessInfo.processInfo.environment["TEST_ONLY_FLAG"]\n',
        ".cs": 'var v = Environment.GetEnvironmentVariable("TEST_ONLY_FLAG");\n',
    }
    found = run_on_git(git_repo, {path: "\n", **EXAMPLE}, {path: reads[path[path.rfind(".") :]]})
    assert _undocumented(found) == []
