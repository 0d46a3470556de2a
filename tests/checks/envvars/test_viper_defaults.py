"""Keys a nested map of viper defaults declares (``SetDefault("auth", map[string]any{...})``):
each leaf is a key viper's ``Unmarshal`` reads from the environment under ``AutomaticEnv``,
so a key declared so at base is not new when a refactor reads it by name (flipt's layout)."""

from __future__ import annotations

from typing import Any

from tests.checks.envvars.helpers import run_on_git

SETUP = """package config

import (
	"strings"

	"github.com/spf13/viper"
)

func Load(v *viper.Viper) {
	v.SetEnvPrefix("FLIPT")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
}
"""
BASE_AUTH = """package config

import "github.com/spf13/viper"

func setDefaults(v *viper.Viper) {
	v.SetDefault("authentication", map[string]any{
		"required": false,
		"methods": map[string]any{
			"token": map[string]any{
				"enabled": false, // off, unless asked
			},
		},
	})
}
"""
#: the refactor: the token map built apart, and the key read by name to decide on it
HEAD_AUTH = """package config

import "github.com/spf13/viper"

func setDefaults(v *viper.Viper) {
	token := map[string]any{"enabled": false}
	if v.GetBool("authentication.methods.token.enabled") {
		token["cleanup"] = true
	}
	if v.GetBool("authentication.methods.{other}.enabled") {
		token["other"] = true
	}
	v.SetDefault("authentication", map[string]any{
		"required": false,
		"methods": map[string]any{
			"token": token,
		},
		"session": map[string]any{
			"domain": "{domain}",
		},
	})
}
"""
BASE = {"internal/config/config.go": SETUP, "internal/config/authentication.go": BASE_AUTH}


def _names(found: list[Any]) -> list[str]:
    return sorted(f.message.split()[0] for f in found if f.rule == "undocumented")


def _head(other: str, domain: str = "") -> dict[str, str | None]:
    text = HEAD_AUTH.replace("{other}", other).replace("{domain}", domain)
    return {"internal/config/authentication.go": text}


def test_a_key_a_nested_default_declared_at_base_is_not_new(git_repo: Any) -> None:
    """Only the key the nested defaults never declared is new (and the new leaf of the
    map, which viper's Unmarshal reads from the environment as much as a getter would)."""
    found = run_on_git(git_repo, BASE, _head("oidc", "example.com"))
    assert _names(found) == [
        "FLIPT_AUTHENTICATION_METHODS_OIDC_ENABLED",
        "FLIPT_AUTHENTICATION_SESSION_DOMAIN",
    ]


def test_a_leaf_held_in_a_variable_is_not_guessed(git_repo: Any) -> None:
    """``"token": token`` names a map built elsewhere: no FLIPT_AUTHENTICATION_METHODS_TOKEN."""
    found = run_on_git(git_repo, BASE, _head("token"))
    assert _names(found) == ["FLIPT_AUTHENTICATION_SESSION_DOMAIN"]


#: a JSON Schema of the configuration file (flipt's config/flipt.schema.json): the keys are
#: nested ``properties``, reached through ``$ref`` to ``definitions``
SCHEMA = """{
  "$schema": "http://json-schema.org/draft/2019-09/schema#",
  "type": "object",
  "properties": {
    "authentication": {"$ref": "#/definitions/authentication"}
  },
  "definitions": {
    "authentication": {
      "type": "object",
      "properties": {
        "required": {"type": "boolean"},
        "methods": {
          "type": "object",
          "properties": {
            "token": {"type": "object", "properties": {"enabled": {"type": "boolean"}}}
          }
        }
      }
    }
  }
}
"""
NEW_READ = """package config

import "github.com/spf13/viper"

func enabled(v *viper.Viper) (bool, bool) {
	return v.GetBool("authentication.methods.token.enabled"), v.GetBool("{other}")
}
"""


def test_a_key_in_a_json_schema_of_the_configuration_is_documented(git_repo: Any) -> None:
    """The schema names ``authentication.methods.token.enabled`` through its nested
    properties; ``authentication.properties.required``'s spelling is no key of it."""
    base = {"internal/config/config.go": SETUP, "config/flipt.schema.json": SCHEMA}
    other = "authentication.properties.required"
    head = {"internal/config/auth.go": NEW_READ.replace("{other}", other)}
    assert _names(run_on_git(git_repo, base, head)) == ["FLIPT_AUTHENTICATION_PROPERTIES_REQUIRED"]


def test_without_the_schema_the_key_is_undocumented(git_repo: Any) -> None:
    base = {"internal/config/config.go": SETUP}
    head = {"internal/config/auth.go": NEW_READ.replace("{other}", "authentication.required")}
    assert _names(run_on_git(git_repo, base, head)) == [
        "FLIPT_AUTHENTICATION_METHODS_TOKEN_ENABLED",
        "FLIPT_AUTHENTICATION_REQUIRED",
    ]
