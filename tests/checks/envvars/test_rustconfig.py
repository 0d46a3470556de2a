"""Rust settings structs that config-rs or figment fill from prefixed variables
(text_rustconfig.py), on real git repositories."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.envvars.text_rustconfig import settings_reads
from gatekeeper.model import Finding
from tests.checks.envvars.helpers import run_on_git

#: svix's layout: figment merges ``SVIX_*`` and a helper with a block extracts the struct
FIGMENT = """use figment::{{providers::{{Env, Toml}}, Figment}};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
pub struct ConfigurationInner {{
    /// The address to listen on
    pub listen_address: String,
    #[serde(flatten)]
    pub signing: SigningConfig,
    pub cache_type: CacheType,
    pub log_level: Option<u16>,
{new}
}}

#[derive(Clone, Debug, Deserialize)]
pub enum CacheType {{
    Memory,
    Redis,
}}

fn try_extract(figment: Figment) -> anyhow::Result<ConfigurationInner> {{
    if !figment.contains("jwt_secret") {{
        bail!("missing field `jwt_secret`");
    }}
    Ok(figment.extract()?)
}}

pub fn load() -> anyhow::Result<Arc<ConfigurationInner>> {{
    let merged = Figment::new()
        .merge(Toml::file("config.toml"))
        .merge({source});
    let config = try_extract(merged)?;
    Ok(Arc::new(config))
}}
"""
SVIX = 'Env::prefixed("SVIX_")'
#: atuin's layout: config-rs with a prefix joined by "_", nested at "__", into ``Self``
CONFIG_RS = """use config::{{Config, Environment}};

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Settings {{
    pub host: String,
    pub port: u16,
    pub metrics: Metrics,
{new}
}}

impl Settings {{
    pub fn new() -> Result<Self> {{
        let config = Config::builder()
            .set_default("host", "127.0.0.1")?
            .add_source(Environment::with_prefix("atuin").prefix_separator("_").separator("__"))
            .build()?;
        config.try_deserialize().map_err(|e| eyre!("failed to deserialize: {{}}", e))
    }}
}}
"""
NEW = "    pub new_setting: Option<String>,"
SAMPLE = '# The address to listen on\nlisten_address = "0.0.0.0:8071"\n'
DOCS = {"README.md": "# svix\n\nSet `SVIX_LISTEN_ADDRESS` to change the address.\n"}


def _undocumented(found: list[Finding]) -> list[str]:
    return [f.message.split()[0] for f in found if f.rule.endswith("undocumented")]


def _svix(new: str = "", source: str = SVIX) -> str:
    return FIGMENT.format(new=new, source=source)


def _run_svix(git_repo: Any, new: str, *, sample: str = SAMPLE, source: str = SVIX) -> list[str]:
    base = {
        **DOCS,
        "server/config.default.toml": sample,
        "server/src/cfg.rs": _svix(source=source),
    }
    return _undocumented(run_on_git(git_repo, base, {"server/src/cfg.rs": _svix(new, source)}))


def test_a_new_field_of_a_figment_struct_is_an_undocumented_variable(git_repo: Any) -> None:
    assert _run_svix(git_repo, NEW) == ["SVIX_NEW_SETTING"]


def test_a_new_field_documented_as_a_key_of_the_config_sample_is_quiet(git_repo: Any) -> None:
    sample = SAMPLE + "# A new setting\nnew_setting = 'x'\n"
    assert _run_svix(git_repo, NEW, sample=sample) == []


def test_a_new_field_documented_by_its_variable_is_quiet(git_repo: Any) -> None:
    base = {**DOCS, "server/src/cfg.rs": _svix()}
    head = {
        "server/src/cfg.rs": _svix(NEW),
        "README.md": DOCS["README.md"] + "Set `SVIX_NEW_SETTING` to enable it.\n",
    }
    assert _undocumented(run_on_git(git_repo, base, head)) == []


def test_a_field_read_at_base_is_quiet(git_repo: Any) -> None:
    base = {**DOCS, "server/src/cfg.rs": _svix(NEW)}
    head = {"server/src/cfg.rs": _svix(NEW) + "\n// touched\n"}
    assert _undocumented(run_on_git(git_repo, base, head)) == []


def test_a_new_field_of_a_config_rs_struct_is_read_with_the_joined_prefix(git_repo: Any) -> None:
    base = {**DOCS, "crates/server/src/settings.rs": CONFIG_RS.format(new="")}
    head = {"crates/server/src/settings.rs": CONFIG_RS.format(new=NEW)}
    assert _undocumented(run_on_git(git_repo, base, head)) == ["ATUIN_NEW_SETTING"]


def test_a_table_field_is_no_variable_of_its_own(git_repo: Any) -> None:
    # a struct declared elsewhere is a table: its keys are ATUIN_SYNC__..., not ATUIN_SYNC
    base = {**DOCS, "crates/server/src/settings.rs": CONFIG_RS.format(new="")}
    head = {"crates/server/src/settings.rs": CONFIG_RS.format(new="    pub sync: Sync,")}
    assert _undocumented(run_on_git(git_repo, base, head)) == []


def test_flattened_skipped_and_table_fields_are_not_read() -> None:
    new = "    #[serde(skip)]\n    pub cache: Option<u8>,\n    pub db: Option<DbConfig>,"
    names = [r.name for r in settings_reads(_svix(new))]
    assert names == ["SVIX_LISTEN_ADDRESS", "SVIX_CACHE_TYPE", "SVIX_LOG_LEVEL"]


def test_a_renamed_field_is_read_under_its_serde_name() -> None:
    new = '    #[serde(rename = "dsn")]\n    pub database_url: String,'
    assert [r.name for r in settings_reads(_svix(new))][-1] == "SVIX_DSN"


def test_a_file_with_two_prefixes_is_not_read() -> None:
    source = 'Env::prefixed("SVIX_")).merge(Env::prefixed("OTHER_")'
    assert settings_reads(_svix(NEW, source)) == []


def test_a_commented_out_source_sets_no_variable() -> None:
    text = _svix(NEW, 'Toml::file("x.toml")') + '\n// .merge(Env::prefixed("SVIX_"))\n'
    assert settings_reads(text) == []


def test_a_struct_renaming_all_its_fields_is_not_read() -> None:
    text = _svix(NEW).replace(
        "#[derive(Clone, Debug, Deserialize)]\npub struct ConfigurationInner",
        '#[derive(Clone, Debug, Deserialize)]\n#[serde(rename_all = "camelCase")]\n'
        "pub struct ConfigurationInner",
    )
    assert settings_reads(text) == []


def test_a_struct_no_extraction_fills_is_not_read() -> None:
    # only the extracted struct's fields are variables; another struct of the file is not
    text = _svix().replace("pub struct ConfigurationInner", "pub struct Other") + (
        "\npub struct ConfigurationInner {\n    pub new_setting: String,\n}\n"
    )
    assert [r.name for r in settings_reads(text)] == ["SVIX_NEW_SETTING"]


def test_an_extraction_of_a_struct_declared_elsewhere_reads_nothing() -> None:
    text = _svix(NEW).replace("pub struct ConfigurationInner", "pub struct Unrelated")
    assert settings_reads(text) == []


def test_a_struct_only_a_test_module_extracts_is_not_read() -> None:
    text = _svix().replace("Ok(figment.extract()?)", "Ok(ConfigurationInner::default())") + (
        "\n#[cfg(test)]\nmod tests {\n    struct Probe {\n        pub new_setting: String,\n"
        "    }\n    fn probe(f: Figment) -> Probe {\n        f.extract().unwrap()\n    }\n}\n"
    )
    assert settings_reads(text) == []
