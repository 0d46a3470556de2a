"""A small diesel project, as crates.io lays one out, for the column-reader tests: a
print_schema file named in ``diesel.toml``, models mapped to ``versions``, and the word
``checksum`` used for other things (an API type, a helper, a log line, a frontend)."""

from __future__ import annotations

SCHEMA = """// @generated automatically by Diesel CLI.
diesel::table! {
    versions (id) {
        id -> Int4,
        num -> Varchar,
        /// The `checksum` column of the `versions` table.
        #[max_length = 64]
        checksum -> Nullable<Bpchar>,
        tar_sha256 -> Nullable<Bytea>,
    }
}
"""
MODELS = """use crate::schema::versions;

/// The SHA256 checksum of the crate lives in `tar_sha256` now.
#[derive(Clone, Debug, HasQuery)]
#[diesel(table_name = versions)]
pub struct Version {
    pub id: i32,
    pub num: String,
    pub tar_sha256: Option<Vec<u8>>,
}
"""
API = """pub struct EncodableVersion {
    pub num: String,
    /// The SHA256 checksum of the crate file.
    pub checksum: String,
}

pub fn checksum(raw: &[u8]) -> char {
    let checksum = raw.iter().fold(0, |acc, &b| acc ^ b);
    log::info!("checksum of {} bytes computed", raw.len());
    char::from(checksum)
}
"""
BASE = {
    "diesel.toml": '[print_schema]\nfile = "src/schema.rs"\nwith_docs = true\n',
    "migrations/2024-01-01-000000_init/up.sql": (
        "CREATE TABLE versions (id serial PRIMARY KEY, num varchar NOT NULL,"
        " checksum char(64), tar_sha256 bytea);\n"
    ),
    "migrations/2024-01-01-000000_init/down.sql": "DROP TABLE versions;\n",
    "src/schema.rs": SCHEMA,
    "src/models.rs": MODELS,
    "src/api.rs": API,
    "src/dump-db.toml": '[versions.columns]\nnum = "public"\nchecksum = "private"\n',
    "app/package.json": '{"dependencies": {"ember-source": "5.0.0"}}\n',
    "app/models/version.js": "export default class Version { checksum = attr(); }\n",
}
DROP = "migrations/2026-06-17-112535-0000_drop_versions_checksum"
#: the contract step: the migration, the regenerated schema file, the dump config
HEAD = {
    f"{DROP}/up.sql": "ALTER TABLE versions DROP COLUMN checksum;\n",
    f"{DROP}/down.sql": "ALTER TABLE versions ADD COLUMN checksum char(64);\n",
    "src/schema.rs": SCHEMA.replace(
        "        /// The `checksum` column of the `versions` table.\n"
        "        #[max_length = 64]\n        checksum -> Nullable<Bpchar>,\n",
        "",
    ),
    "src/dump-db.toml": '[versions.columns]\nnum = "public"\n',
}
POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
