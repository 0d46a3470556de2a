"""What each OpenAPI rule finds, why it matters to clients, and the safe alternative.

Data, not logic (hence its length): the texts ``gatekeeper explain``, the rules reference
(docs/rules.md) and every finding's remedy show for the breaking-change catalog.

Most rule ids are composed of a *site* (``request-property``) and a *change*
(``max-decreased``), so most texts are written once per change and direction with a
``{x}`` for the site ("a request-body property"); ids that fit no pattern have texts of
their own. Every error-level rule has all three parts (tests/checks/openapi/
test_explanations.py keeps it so); warnings say at least why they are only warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gatekeeper.checks.openapi.rules import LEVELS
from gatekeeper.model import Level


@dataclass(frozen=True, slots=True)
class Explanation:
    """The three things a reader of a finding needs."""

    what: str  # what the rule finds, in one sentence
    why: str  # why it breaks (or may break) existing clients
    instead: str  # the safe alternative


#: site prefix of a composed id -> how the texts name it (longest prefixes first)
REQUEST_SITES: Mapping[str, str] = {
    "request-parameter-property": "a property of an object-valued request parameter",
    "request-header-property": "a property of an object-valued request header",
    "request-parameter": "a request parameter",
    "request-property": "a request-body property",
    "request-body": "the request body",
}
RESPONSE_SITES: Mapping[str, str] = {
    "response-property": "a response-body property",
    "response-header": "a response header",
    "response-body": "the response body",
}

_NOTICE = (
    "the policy's notice period (`checks.openapi.deprecation_days_stable`, or "
    "`checks.openapi.deprecation_days_beta` for beta endpoints)"
)
_VERSION = "or ship the change in a new API version (new path prefix or media type version)"

# Requests may only get looser: anything a client could send before must still be accepted.
_REQ_BOUND_WHY = (
    "Clients that send a value between the old and the new limit followed the old contract; "
    "their requests are now rejected (typically HTTP 400), by the server, a gateway or the "
    "validation in a generated SDK."
)
_REQ_BOUND_INSTEAD = (
    "Keep the old limit; if the values beyond it are truly unsafe, clamp or reject them with "
    "a clear error and announce the limit first, " + _VERSION + "."
)
_REQ_SUBSCHEMA_INSTEAD = (
    "Put the new rule on a new optional property or a new endpoint, or accept both shapes "
    "for a deprecation period and tighten in a new API version."
)

_REQ_LIMIT_SET = (
    "A warning, not an error: clients that send values beyond the new limit are rejected, "
    "but such limits are often needed (security, a mistake in the spec), so a person decides.",
    "Check what clients actually send (logs), choose a limit above it, and announce it in the "
    "changelog before enforcing it.",
)
#: a limit set where there was none: warnings
_LIMIT_SET_CHANGES = {
    stem: (f"{{X}} had no limit and now has {keyword}.", *_REQ_LIMIT_SET)
    for stem, keyword in (
        ("max-set", "a `maximum`"),
        ("min-set", "a `minimum`"),
        ("exclusive-max-set", "an `exclusiveMaximum`"),
        ("exclusive-min-set", "an `exclusiveMinimum`"),
        ("max-length-set", "a `maxLength`"),
        ("min-items-set", "a `minItems`"),
    )
}

#: change -> (what, why, instead) for request sites; ``{x}`` names the site
REQUEST_CHANGES: Mapping[str, tuple[str, str, str]] = {
    "all-of-added": (
        "A new `allOf` subschema was added to {x}: every value must now satisfy it as well.",
        "Payloads that met the old schema but not the new subschema are rejected, although "
        "the clients sending them changed nothing.",
        _REQ_SUBSCHEMA_INSTEAD,
    ),
    "any-of-removed": (
        "A branch of the `anyOf` of {x} was removed, so one of the shapes clients could "
        "send is gone.",
        "Clients that send a value matching only the removed branch are now rejected.",
        "Keep the branch and mark it deprecated in its description with a sunset date; "
        "remove it in a new API version once no client sends it.",
    ),
    "one-of-removed": (
        "A branch of the `oneOf` of {x} was removed, so one of the shapes clients could "
        "send is gone.",
        "Clients that send a value matching only the removed branch are now rejected.",
        "Keep the branch and mark it deprecated in its description with a sunset date; "
        "remove it in a new API version once no client sends it.",
    ),
    "became-enum": (
        "{X} that accepted any value of its type is now limited to a fixed list (`enum`).",
        "Clients that send a value outside the list, valid until now, are rejected.",
        "Keep accepting free values and document the preferred ones, or put the enum on a new "
        "field and deprecate the old one.",
    ),
    "became-not-nullable": (
        "{X} no longer accepts `null`.",
        'Clients that send `null` (often to mean "not set" or "clear it") now get a '
        "validation error.",
        "Keep it nullable and treat `null` as not set on the server; drop `null` only in a "
        "new API version.",
    ),
    "became-required": (
        "{X} was optional and is now required.",
        "Every existing client that leaves it out now sends an invalid request and gets an "
        "error (typically HTTP 400).",
        "Keep it optional and have the server fall back to a default when it is missing; "
        "require it only in a new endpoint or API version.",
    ),
    "const-added": (
        "{X} is now fixed to a single value (`const`).",
        "Clients that send any other value, accepted until now, are rejected.",
        "Keep accepting the other values and map or ignore them on the server; restrict to "
        "one value only in a new API version.",
    ),
    "const-changed": (
        "The one value {x} must have (`const`) changed.",
        "Every client still sends the old value, so every one of their requests is now rejected.",
        "Accept both values (`enum: [old, new]`) for a deprecation period, then drop the old "
        "one in a new API version.",
    ),
    "contains-added": (
        "{X} (an array) must now hold at least one item matching a new `contains` subschema.",
        "Arrays clients send today without such an item are rejected.",
        "Leave the array unconstrained and enforce the rule only for a new field or API version.",
    ),
    "content-encoding-changed": (
        "The `contentEncoding` of {x} changed (for example from base64 to base64url).",
        "Clients keep encoding the string the old way; the server now decodes it wrongly or "
        "rejects it.",
        "Keep the old encoding for this field; add a new field with the new encoding and "
        "deprecate the old one.",
    ),
    "content-media-type-changed": (
        "The `contentMediaType` of {x}, the kind of document carried inside the string, changed.",
        "Clients keep embedding the old kind of document, which the server now misreads or "
        "rejects.",
        "Keep the old media type for this field; carry the new kind of document in a new "
        "field, or accept both during a transition.",
    ),
    "content-schema-added": (
        "A `contentSchema` was added to {x}: the document embedded in the string must now "
        "match a schema.",
        "Embedded documents clients send today may not match it and are rejected.",
        "Check the embedded document leniently (log, do not reject) until clients are "
        "updated, or introduce the schema with a new field.",
    ),
    "dependent-required-added": (
        "A `dependentRequired` rule was added to {x}: when one property is sent, others "
        "must now be sent with it.",
        "Clients that send the first property without its new companions, as the old schema "
        "allowed, are rejected.",
        "Have the server fill in or tolerate the missing companions; enforce the dependency "
        "only in a new API version.",
    ),
    "dependent-required-changed": (
        "A `dependentRequired` rule of {x} now demands other or more companion properties.",
        "Requests that satisfied the old dependency can now lack a companion and be rejected.",
        "Keep the old dependency and tolerate missing companions on the server until a new "
        "API version.",
    ),
    "dependent-schema-added": (
        "A `dependentSchemas` rule was added to {x}: when a given property is present, the "
        "object must also match a subschema.",
        "Objects clients send today with that property may not satisfy the subschema and "
        "are rejected.",
        _REQ_SUBSCHEMA_INSTEAD,
    ),
    "deprecated-sunset-missing": (
        "{X} was marked deprecated without an `x-sunset` date, while the policy asks for a "
        "notice period.",
        "Clients learn that it will go away but not when, so they cannot plan the migration "
        "the notice period is meant to give them.",
        "Add `x-sunset: YYYY-MM-DD` next to `deprecated: true`, at least " + _NOTICE + " from "
        "today.",
    ),
    "deprecated-sunset-invalid": (
        "{X} was deprecated with an `x-sunset` value that is not a date.",
        "Neither people nor tools can tell when it will be removed, so the deprecation gives "
        "clients no usable deadline.",
        "Write the sunset as an ISO date (`x-sunset: 2026-12-31`) or an RFC 3339 timestamp.",
    ),
    "sunset-date-too-small": (
        "{X} was deprecated with an `x-sunset` date closer than the notice period the policy "
        "requires.",
        "Clients get less time to migrate than the API promises, so some will still depend "
        "on it when it disappears.",
        "Move `x-sunset` to at least " + _NOTICE + " from today.",
    ),
    "if-added": (
        "An `if` condition was added to {x}: values that match it must now also pass its "
        "`then` (and the others its `else`).",
        "Values clients send today may fall under the condition and fail the branch they now "
        "have to satisfy.",
        _REQ_SUBSCHEMA_INSTEAD,
    ),
    "then-added": (
        "A `then` subschema was added to {x}: values matching its `if` must now also match it.",
        "Values that match the condition but not the new `then` are rejected, although they "
        "were valid until now.",
        _REQ_SUBSCHEMA_INSTEAD,
    ),
    "else-added": (
        "An `else` subschema was added to {x}: values not matching its `if` must now match it.",
        "Values that fail the condition and the new `else` are rejected, although they were "
        "valid until now.",
        _REQ_SUBSCHEMA_INSTEAD,
    ),
    "enum-value-removed": (
        "A value was removed from the allowed list (`enum`) of {x}.",
        "Clients that still send that value, valid until now, are rejected.",
        "Keep the value, mark it deprecated in the description and map it to its replacement "
        "on the server; remove it in a new API version.",
    ),
    "x-extensible-enum-value-removed": (
        "A value was removed from the `x-extensible-enum` list of {x}.",
        "Clients that still send that value, listed as valid until now, may be rejected or "
        "have it misread.",
        "Keep the value, mark it deprecated in the description and map it to its replacement "
        "on the server; remove it in a new API version.",
    ),
    "exclusive-max-decreased": (
        "The `exclusiveMaximum` of {x} was lowered.",
        _REQ_BOUND_WHY,
        _REQ_BOUND_INSTEAD,
    ),
    "exclusive-min-increased": (
        "The `exclusiveMinimum` of {x} was raised.",
        _REQ_BOUND_WHY,
        _REQ_BOUND_INSTEAD,
    ),
    "max-decreased": ("The `maximum` of {x} was lowered.", _REQ_BOUND_WHY, _REQ_BOUND_INSTEAD),
    "min-increased": ("The `minimum` of {x} was raised.", _REQ_BOUND_WHY, _REQ_BOUND_INSTEAD),
    "max-length-decreased": (
        "The `maxLength` of {x} was lowered: shorter strings only.",
        "Clients that send strings longer than the new limit (names, comments, ids) followed "
        "the old contract and are now rejected.",
        _REQ_BOUND_INSTEAD,
    ),
    "min-length-increased": (
        "The `minLength` of {x} was raised: longer strings only.",
        "Clients that send strings shorter than the new limit followed the old contract and "
        "are now rejected.",
        _REQ_BOUND_INSTEAD,
    ),
    "max-items-decreased": (
        "The `maxItems` of {x} (an array) was lowered: fewer items allowed.",
        "Clients that send more items than the new limit (a batch, a list of ids) are now "
        "rejected.",
        _REQ_BOUND_INSTEAD,
    ),
    "min-items-increased": (
        "The `minItems` of {x} (an array) was raised: more items required.",
        "Clients that send fewer items, including the empty list, are now rejected.",
        _REQ_BOUND_INSTEAD,
    ),
    "max-contains-decreased": (
        "The `maxContains` of {x} was lowered: fewer items may match its `contains` subschema.",
        "Arrays clients send today with more matching items are rejected.",
        _REQ_BOUND_INSTEAD,
    ),
    "min-contains-increased": (
        "The `minContains` of {x} was raised: more items must match its `contains` subschema.",
        "Arrays clients send today with fewer matching items are rejected.",
        _REQ_BOUND_INSTEAD,
    ),
    "list-of-types-narrowed": (
        "{X} accepts fewer JSON types than before: a type was dropped from its `type` list.",
        "Clients that send a value of the dropped type, valid until now, are rejected.",
        "Keep accepting the dropped type and convert it on the server; narrow the type only "
        "in a new API version.",
    ),
    "pattern-added": (
        "A `pattern` (regular expression) was added to {x}, which accepted any string until now.",
        "Strings clients send today that do not match the pattern are rejected.",
        "Normalise the input on the server instead, or add the pattern only for a new field "
        "or API version.",
    ),
    "pattern-property-added": (
        "A `patternProperties` entry was added to {x}: properties whose names match a "
        "pattern must now match a schema.",
        "Objects clients send with such property names may not satisfy the schema and are "
        "rejected.",
        _REQ_SUBSCHEMA_INSTEAD,
    ),
    "prefix-items-removed": (
        "A positional entry of the `prefixItems` of {x} (an array read as a tuple) was removed.",
        "The item at that position now falls under the general `items` schema, which may "
        "reject what clients send there.",
        "Keep the positional schema; change the tuple's layout only in a new API version.",
    ),
    "property-names-added": (
        "A `propertyNames` rule was added to {x}: every key of the object must now match a schema.",
        "Objects whose keys no longer qualify, valid until now, are rejected.",
        _REQ_SUBSCHEMA_INSTEAD,
    ),
    "stability-decreased": (
        "The `x-stability-level` of {x} was lowered (for example from stable to beta).",
        "Clients built on it under the stronger promise may now see it change or disappear "
        "with less notice than they were told to expect.",
        "Keep the stability level; introduce the unstable variant as a new property with the "
        "lower level.",
    ),
    "type-changed": (
        "The type (or `format`) of {x} changed to one that does not accept every old value "
        "(for example string to integer).",
        "Clients keep sending values of the old type, which now fail validation or are misread.",
        "Keep the old type; add a new field with the new type and deprecate the old one, or "
        "accept both types during a transition.",
    ),
    "unevaluated-items-added": (
        "An `unevaluatedItems` rule was added to {x}: array items no other keyword covers "
        "must now match it, or are forbidden when it is `false`.",
        "Arrays with extra items that clients send today are rejected.",
        _REQ_SUBSCHEMA_INSTEAD,
    ),
    "unevaluated-properties-added": (
        "An `unevaluatedProperties` rule was added to {x}: properties the schema does not "
        "describe must now match it, or are forbidden when it is `false`.",
        "Clients that send extra properties, harmless until now, are rejected.",
        "Keep ignoring unknown properties on the server; close the schema only in a new API "
        "version.",
    ),
}

#: change -> (what, why, instead) for request sites, warning-level rules: the change may
#: break clients, the spec alone cannot tell
REQUEST_WARNINGS: Mapping[str, tuple[str, str, str]] = {
    "all-of-removed": (
        "An `allOf` subschema was removed from {x}, so the schema accepts more than before.",
        "A warning: no client is rejected, but the server now receives values the removed "
        "subschema used to keep out, and generated SDKs may lose fields.",
        "Make sure the server handles what the removed subschema excluded, and say so in the "
        "changelog.",
    ),
    "pattern-changed": (
        "The `pattern` (regular expression) of {x} changed.",
        "A warning: the gate cannot prove that the new expression accepts everything the old "
        "one did; if it does not, some requests are now rejected.",
        "Test the new pattern against the values clients send today (logs, examples); keep "
        "the old one if any is refused.",
    ),
    **_LIMIT_SET_CHANGES,
}

# Responses may only get stricter: whatever a client could receive before it must still
# be able to read.
_RESP_BOUND_INSTEAD = (
    "Keep returning values within the old bound; return the wider values in a new field, or "
    + _VERSION
    + "."
)
_RESP_GUARANTEE_INSTEAD = (
    "Keep the guarantee in the response; drop it only in a new API version, and say so in "
    "the changelog."
)

#: change -> (what, why, instead) for response sites
RESPONSE_CHANGES: Mapping[str, tuple[str, str, str]] = {
    "became-nullable": (
        "{X} may now be `null`.",
        "Clients that read the value without a null check crash or mishandle it; typed SDKs "
        "fail to decode the response.",
        "Keep returning a value; leave an optional property out instead of sending `null`, "
        "or add a new nullable field and keep the old one filled.",
    ),
    "became-optional": (
        "{X} was always returned and may now be missing.",
        "Clients read it unconditionally; when it is absent they fail or carry on with a "
        "wrong value.",
        "Keep returning it; if it must go, mark it deprecated with an `x-sunset` date and "
        "remove it in a new API version.",
    ),
    "const-changed": (
        "The fixed value (`const`) of {x} changed.",
        "Clients that compare it with the old value (a type tag, a version marker) stop "
        "recognising the response.",
        "Keep the old value; return the new one in a new field or in a new API version.",
    ),
    "const-removed": (
        "{X} no longer has a fixed value (`const`): it may now be anything its type allows.",
        "Clients that relied on the single value (for example as a type tag) meet values "
        "they do not handle.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "contains-removed": (
        "The `contains` guarantee of {x} (an array) was removed: it no longer promises an "
        "item matching a subschema.",
        "Clients that look for that item may no longer find it and fail.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "content-encoding-changed": (
        "The `contentEncoding` of {x} changed (for example from base64 to base64url).",
        "Clients decode the string the old way and get corrupt data or an error.",
        "Keep the old encoding for this field; return the new encoding in a new field.",
    ),
    "content-media-type-changed": (
        "The `contentMediaType` of {x}, the kind of document carried inside the string, changed.",
        "Clients parse the embedded document as the old kind and fail.",
        "Keep the old media type for this field; return the new kind of document in a new field.",
    ),
    "content-schema-removed": (
        "The `contentSchema` of {x} was removed: the document embedded in the string no "
        "longer has a promised shape.",
        "Clients that parse the embedded document by the old schema may meet content they "
        "cannot handle.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "dependent-required-changed": (
        "A `dependentRequired` rule of {x} changed: the companions promised with a property "
        "are different.",
        "Clients that expect the old companions next to that property may not find them.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "dependent-required-removed": (
        "A `dependentRequired` rule of {x} was removed: properties promised together may "
        "now come alone.",
        "Clients that read the companions whenever the first property is present fail when "
        "they are missing.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "dependent-schema-removed": (
        "A `dependentSchemas` rule of {x} was removed: the shape promised when a property "
        "is present is gone.",
        "Clients that rely on that shape may receive objects they cannot handle.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "if-removed": (
        "The `if` condition of {x} was removed, and with it the shapes its `then`/`else` promised.",
        "Clients relying on the conditional shape meet objects without the fields they expect.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "then-removed": (
        "The `then` subschema of {x} was removed: values matching its `if` no longer have "
        "the promised shape.",
        "Clients relying on that shape meet objects without the fields they expect.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "else-removed": (
        "The `else` subschema of {x} was removed: values not matching its `if` no longer "
        "have the promised shape.",
        "Clients relying on that shape meet objects without the fields they expect.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "exclusive-max-increased": (
        "The `exclusiveMaximum` of {x} was raised: larger values may now be returned.",
        "Clients sized their types, columns or screens for the old bound; larger values "
        "overflow, get truncated or are rejected on their side.",
        _RESP_BOUND_INSTEAD,
    ),
    "max-increased": (
        "The `maximum` of {x} was raised: larger values may now be returned.",
        "Clients sized their types, columns or screens for the old bound; larger values "
        "overflow, get truncated or are rejected on their side.",
        _RESP_BOUND_INSTEAD,
    ),
    "exclusive-min-decreased": (
        "The `exclusiveMinimum` of {x} was lowered: smaller values may now be returned.",
        "Clients that assume values above the old bound (positive ids, non-negative "
        "amounts) mishandle the smaller ones.",
        _RESP_BOUND_INSTEAD,
    ),
    "min-decreased": (
        "The `minimum` of {x} was lowered: smaller values may now be returned.",
        "Clients that assume values above the old bound (positive ids, non-negative "
        "amounts) mishandle the smaller ones.",
        _RESP_BOUND_INSTEAD,
    ),
    "max-length-increased": (
        "The `maxLength` of {x} was raised: longer strings may now be returned.",
        "Clients with fixed-size buffers, database columns or form fields truncate the "
        "longer strings or fail to store them.",
        _RESP_BOUND_INSTEAD,
    ),
    "max-length-unset": (
        "{X} lost its `maxLength`: strings of any length may now be returned.",
        "Clients with fixed-size buffers, database columns or form fields truncate the "
        "longer strings or fail to store them.",
        _RESP_BOUND_INSTEAD,
    ),
    "min-length-decreased": (
        "The `minLength` of {x} was lowered: shorter strings, possibly empty, may now be returned.",
        "Clients that assume a minimum length (a non-empty name, a fixed-size code) "
        "mishandle the shorter values.",
        _RESP_BOUND_INSTEAD,
    ),
    "min-items-decreased": (
        "The `minItems` of {x} (an array) was lowered: fewer items, possibly none, may now "
        "be returned.",
        "Clients that read the first items unconditionally fail on a shorter or empty list.",
        _RESP_BOUND_INSTEAD,
    ),
    "min-items-unset": (
        "{X} (an array) lost its `minItems`: it may now be returned empty.",
        "Clients that read the first item unconditionally fail on an empty list.",
        _RESP_BOUND_INSTEAD,
    ),
    "max-contains-increased": (
        "The `maxContains` of {x} was raised: more items may match its `contains` subschema.",
        "Clients that expect at most the old number of such items may mishandle the extra ones.",
        _RESP_BOUND_INSTEAD,
    ),
    "min-contains-decreased": (
        "The `minContains` of {x} was lowered: fewer items may match its `contains` subschema.",
        "Clients that expect at least the old number of such items may not find them.",
        _RESP_BOUND_INSTEAD,
    ),
    "list-of-types-widened": (
        "{X} may now be of more JSON types than before: a type was added to its `type` list.",
        "Clients decode it as one of the old types; a value of the new type fails to parse "
        "in typed SDKs.",
        "Keep the old types; return the new kind of value in a new field, or " + _VERSION + ".",
    ),
    "one-of-added": (
        "A new `oneOf` branch was added to {x}: responses may now come in a shape that did "
        "not exist before.",
        "Clients handle the shapes they know; the new one fails to deserialize or falls "
        "through unhandled.",
        "Return the new shape only to clients that ask for it (a new endpoint, an opt-in "
        "parameter), " + _VERSION + ".",
    ),
    "pattern-property-removed": (
        "A `patternProperties` entry of {x} was removed: properties with matching names no "
        "longer follow a promised schema.",
        "Clients that parse those properties by the old schema may meet values they cannot handle.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "prefix-items-added": (
        "A positional entry was added to the `prefixItems` of {x}: the item at that position "
        "now follows its own schema instead of the general `items` one.",
        "Clients that read every item with the old schema may meet an item of another shape "
        "at that position.",
        "Keep the array's layout; return the new tuple layout in a new field, or " + _VERSION + ".",
    ),
    "property-names-removed": (
        "The `propertyNames` rule of {x} was removed: its keys may now be any string.",
        "Clients that rely on the key format (ids, dates, codes as map keys) fail to parse "
        "the new keys.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "unevaluated-items-removed": (
        "The `unevaluatedItems` rule of {x} was removed: arrays may now hold items the schema "
        "does not describe.",
        "Clients with strict, closed models fail on the undescribed items.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "unevaluated-properties-removed": (
        "The `unevaluatedProperties` rule of {x} was removed: objects may now carry "
        "properties the schema does not describe.",
        "Clients with strict, closed models (common in generated SDKs) fail on the unknown "
        "properties.",
        _RESP_GUARANTEE_INSTEAD,
    ),
    "stability-decreased": REQUEST_CHANGES["stability-decreased"],
    "deprecated-sunset-missing": REQUEST_CHANGES["deprecated-sunset-missing"],
    "deprecated-sunset-invalid": REQUEST_CHANGES["deprecated-sunset-invalid"],
    "sunset-date-too-small": REQUEST_CHANGES["sunset-date-too-small"],
    "type-changed": (
        "The type (or `format`) of {x} changed (for example integer to string).",
        "Clients parse it as the old type and fail, or silently misread it.",
        "Keep the field's type; return the new representation in a new field and deprecate "
        "the old one.",
    ),
    "type-generalized": (
        "The type of {x} was widened (for example integer to number, or a `format` removed), "
        "so it may hold values clients do not expect.",
        "Clients that decode the old, narrower type (an int, a date) fail on the new values.",
        "Keep returning the narrower type; return the wider values in a new field, or "
        + _VERSION
        + ".",
    ),
}

#: change -> (what, why, instead) for response sites, warning-level rules
RESPONSE_WARNINGS: Mapping[str, tuple[str, str, str]] = {
    "enum-value-added": (
        "A new value was added to the `enum` of {x}.",
        "A warning: clients that switch over the known values may hit an unhandled case, and "
        "generated enums may fail to decode the new one.",
        "Announce the value in the changelog and make sure clients tolerate unknown values; "
        "for lists that grow, use `x-extensible-enum`.",
    ),
}

_DEPRECATE_FIRST = (
    "Mark it `deprecated: true` with an `x-sunset` date, tell its clients, and remove it "
    "after that date, " + _VERSION + "."
)

#: ids that fit no site/change pattern, or need their own words
SPECIFIC: Mapping[str, tuple[str, str, str]] = {
    "api-path-removed-without-deprecation": (
        "A whole path, with all its operations, was removed without being deprecated first.",
        "Every client still calling it now gets HTTP 404, with no warning beforehand.",
        _DEPRECATE_FIRST,
    ),
    "api-removed-without-deprecation": (
        "An operation (one method of a path that stays) was removed without being deprecated "
        "first.",
        "Every client still calling it now gets HTTP 404 or 405, with no warning beforehand.",
        _DEPRECATE_FIRST,
    ),
    "api-path-removed-before-sunset": (
        "A deprecated path was removed before the `x-sunset` date its deprecation announced.",
        "Clients were told they had until that date to migrate; those still calling it now "
        "get HTTP 404.",
        "Keep the path until its sunset date has passed, then remove it.",
    ),
    "api-removed-before-sunset": (
        "A deprecated operation was removed before the `x-sunset` date its deprecation announced.",
        "Clients were told they had until that date to migrate; those still calling it now "
        "get an error.",
        "Keep the operation until its sunset date has passed, then remove it.",
    ),
    "api-path-sunset-parse": (
        "A deprecated operation was removed or changed, and its `x-sunset` value is not a date.",
        "Without a readable date nobody can tell whether clients were given the notice they "
        "were promised, so the gate cannot call the removal safe.",
        "Write the sunset as an ISO date (`x-sunset: 2026-12-31`) or an RFC 3339 timestamp.",
    ),
    "api-deprecated-sunset-parse": (
        "An operation was deprecated with an `x-sunset` value that is not a date.",
        "Neither people nor tools can tell when it will be removed, so the deprecation gives "
        "clients no usable deadline.",
        "Write the sunset as an ISO date (`x-sunset: 2026-12-31`) or an RFC 3339 timestamp.",
    ),
    "api-deprecated-sunset-missing": (
        "An operation was marked deprecated without an `x-sunset` date, while the policy asks "
        "for a notice period.",
        "Clients learn that it will go away but not when, so they cannot plan the migration "
        "the notice period is meant to give them.",
        "Add `x-sunset: YYYY-MM-DD` next to `deprecated: true`, at least " + _NOTICE + " from "
        "today.",
    ),
    "api-sunset-date-too-small": (
        "An operation was deprecated with an `x-sunset` date closer than the notice period "
        "the policy requires.",
        "Clients get less time to migrate than the API promises, so some will still call it "
        "when it disappears.",
        "Move `x-sunset` to at least " + _NOTICE + " from today.",
    ),
    "api-sunset-date-changed-too-small": (
        "The `x-sunset` date of a deprecated operation was moved earlier, inside the "
        "policy's notice period.",
        "Clients planned their migration around the announced date; moving it forward takes "
        "away time they were promised.",
        "Keep the announced date or move it later; if it must come sooner, announce the new "
        "date at least the notice period ahead.",
    ),
    "sunset-deleted": (
        "A deprecated operation lost its `x-sunset` date.",
        "Clients lose the deadline they were planning against, and tools can no longer warn "
        "them in time.",
        "Keep the `x-sunset` date or move it later; to cancel the deprecation, remove "
        "`deprecated: true` as well.",
    ),
    "api-invalid-stability-level": (
        "An operation's `x-stability-level` is not one of draft, alpha, beta or stable.",
        "The level decides how much notice a change needs; with an unknown value the gate "
        "cannot judge the change, and neither can clients' tools.",
        "Use one of draft, alpha, beta or stable.",
    ),
    "api-stability-decreased": (
        "An operation's `x-stability-level` was lowered (for example from stable to beta).",
        "Clients built on it under the stronger promise may now see it change or disappear "
        "with less notice than they were told to expect.",
        "Keep the stability level; offer the unstable variant as a new operation with the "
        "lower level.",
    ),
    "api-base-path-changed": (
        "The path prefix every endpoint is served under (Swagger `basePath`, or the path of "
        "the `servers` URLs) changed, so every endpoint moved.",
        "Clients build each URL from the old prefix; every call they make now goes to an "
        "address the API no longer serves (typically HTTP 404).",
        "Serve the API under both prefixes (a redirect or a second route) until clients "
        "have moved, or make the new prefix a new API version next to the old one.",
    ),
    "new-request-path-parameter": (
        "An operation gained a path parameter it did not have before.",
        "Clients build the URL from the old template and do not fill the new segment, so "
        "their calls go to the wrong URL or fail.",
        "Add a new path with the parameter and keep the old one working; deprecate the old "
        "path with an `x-sunset` date.",
    ),
    "new-required-request-parameter": (
        "An operation gained a required query, header or cookie parameter.",
        "Existing clients do not send it, so every call they make is now rejected (typically "
        "HTTP 400).",
        "Add the new parameter as optional with a default the server applies when it is "
        "missing, or add a new endpoint version that requires it.",
    ),
    "new-required-request-default-parameter-to-existing-path": (
        "A required parameter was added at path level, so every operation of that path now "
        "requires it.",
        "Existing clients of all those operations do not send it, so every call they make is "
        "now rejected.",
        "Add it as optional with a default the server applies, or only to new operations or "
        "a new endpoint version.",
    ),
    "new-required-request-header-property": (
        "An object-valued request header gained a required property.",
        "Clients that send the header without the new property fail validation and get an "
        "error (typically HTTP 400).",
        "Add the property as optional, with a default the server applies when it is missing.",
    ),
    "new-required-request-property": (
        "The request body gained a required property.",
        "Existing clients do not send it, so every request they make is now invalid and "
        "rejected (typically HTTP 400).",
        "Add the property as optional and apply a default on the server when it is missing; "
        "require it only in a new API version.",
    ),
    "new-required-request-property-with-default": (
        "The request body gained a required property that has a `default`.",
        "A default does not make leaving a required property out valid: gateways, validators "
        "and generated SDKs reject requests without it, whatever the server would fill in.",
        "Make the property optional and keep its `default`; the server applies it when the "
        "property is missing.",
    ),
    "request-property-became-required-with-default": (
        "A request-body property that has a `default` was optional and is now required.",
        "A default does not make leaving a required property out valid: gateways, validators "
        "and generated SDKs reject requests without it, whatever the server would fill in.",
        "Keep the property optional with its `default`; the server applies it when the "
        "property is missing.",
    ),
    "request-body-added-required": (
        "An operation that took no request body now requires one.",
        "Existing clients call it without a body, and every such call is rejected.",
        "Make the new body optional (`required: false`) and keep the old behaviour when it "
        "is missing, or add a new endpoint.",
    ),
    "request-body-removed": (
        "The request body of an operation was removed.",
        "Clients still send a body: the server may reject it, or silently drop data the "
        "clients believe they are sending.",
        "Keep accepting the body (ignore it if it is no longer needed, and deprecate it); "
        "remove it in a new API version.",
    ),
    "request-body-media-type-removed": (
        "A request content type the operation accepted (for example "
        "`application/x-www-form-urlencoded`) was removed.",
        "Clients that send that content type now get HTTP 415 Unsupported Media Type.",
        "Keep accepting the content type; deprecate it and remove it in a new API version.",
    ),
    "request-body-media-type-schema-added": (
        "A schema was added to a request content type that had none, so its content was "
        "unconstrained until now.",
        "Payloads clients send today may not match the new schema and are rejected.",
        "Describe what clients already send: start with a lenient schema (no new required "
        "properties, extra properties allowed) and tighten it in a new API version.",
    ),
    "request-body-wrapped-in-one-of": (
        "The request body's object schema was moved into `oneOf` branches.",
        "A payload valid before must now match exactly one branch; payloads that match none, "
        "or several, are rejected.",
        "Keep the original object schema as one branch, unchanged, and make branches "
        "exclusive (a discriminator), or version the endpoint.",
    ),
    "response-body-wrapped-in-one-of": (
        "The response body's object schema was moved into `oneOf` branches.",
        "Properties clients read on every response are now promised only in some branches, "
        "and generated SDKs change their model types.",
        "Keep returning the old object shape; introduce the alternatives in a new endpoint "
        "or API version.",
    ),
    "request-parameter-removed-before-sunset": (
        "A deprecated request parameter was removed before its announced `x-sunset` date.",
        "Clients were told they had until that date to stop sending it; the server may now "
        "reject it, and whatever it controlled stops working.",
        "Keep the parameter until its sunset date has passed, then remove it.",
    ),
    "request-parameter-sunset-date-changed-too-small": (
        "The `x-sunset` date of a deprecated request parameter was moved earlier.",
        "Clients planned their migration around the announced date; moving it forward takes "
        "away time they were promised.",
        "Keep the announced date or move it later; if it must come sooner, announce the new "
        "date at least the notice period ahead.",
    ),
    "request-parameter-sunset-deleted": (
        "A deprecated request parameter lost its `x-sunset` date.",
        "Clients lose the deadline they were planning against, and tools can no longer warn "
        "them in time.",
        "Keep the `x-sunset` date or move it later; to cancel the deprecation, remove "
        "`deprecated: true` as well.",
    ),
    "request-parameter-sunset-parse": (
        "A request parameter's `x-sunset` value is not a date.",
        "Without a readable date nobody can tell when the parameter goes away, or whether "
        "clients were given the promised notice.",
        "Write the sunset as an ISO date (`x-sunset: 2026-12-31`) or an RFC 3339 timestamp.",
    ),
    "request-parameter-default-value-added": (
        "A request parameter that had no default now has one.",
        'Clients that omit the parameter meant "no value"; the server now acts as if they '
        "had sent the default, so the same request quietly behaves differently.",
        "Keep the old behaviour for a missing parameter; offer the new behaviour through an "
        "explicit value, a new parameter, or a new API version.",
    ),
    "request-parameter-default-value-changed": (
        "The value the server assumes when a request parameter is left out (its `default`) "
        "changed.",
        "Clients that omit it relied on the old default; the same requests now silently do "
        "something else, and no error tells them.",
        "Keep the old default and let clients opt in by sending the new value explicitly; "
        "change defaults only in a new API version.",
    ),
    "request-parameter-default-value-removed": (
        "A request parameter lost its default value.",
        "Clients that omit it relied on the default; the server may now reject their request "
        "or treat the value as absent.",
        "Keep the default, or have the server apply the old value whenever the parameter is "
        "missing.",
    ),
    "request-parameter-property-type-specialized": (
        "The type of a property of an object-valued request parameter was narrowed (for "
        "example number to integer, or a `format` added).",
        "However the object is serialised, some values clients send today no longer fit the "
        "narrower type and are rejected.",
        "Keep the wider type and validate new values on the server, or add a new parameter "
        "with the narrow type.",
    ),
    "required-response-header-removed": (
        "A response header marked required is no longer returned.",
        "Clients read it on every response (a location, a rate-limit counter, a request id) "
        "and fail when it is missing.",
        "Keep sending the header; deprecate it and remove it in a new API version.",
    ),
    "response-required-property-removed": (
        "A property every response promised to carry (a required one) is no longer returned.",
        "Clients read it on every response; decoding fails, or the value turns up missing "
        "where code expects it.",
        "Keep returning it, marked `deprecated: true` with an `x-sunset` date, and drop it "
        "in a new API version.",
    ),
    "response-success-status-removed": (
        "A success (2xx) status was removed from an operation's responses.",
        "Clients that handle that status (201 Created, 204 No Content) treat the new outcome "
        "as unexpected, often as an error.",
        "Keep returning the old status; change success codes only in a new endpoint or API "
        "version.",
    ),
    "response-media-type-removed": (
        "A media type a response could be returned in (for example `application/xml`) was removed.",
        "Clients that ask for it (`Accept`) or parse it get HTTP 406 or content they cannot read.",
        "Keep serving the media type; deprecate it and remove it in a new API version.",
    ),
    "response-media-type-name-generalized": (
        "A response's media type was replaced by a wider range (for example "
        "`application/json` by `*/*` or `application/*`).",
        "Clients can no longer know which format they will receive, and may not be able to "
        "parse it.",
        "Keep announcing the exact media type; list further concrete types next to it if the "
        "operation can return them.",
    ),
    "webhook-removed": (
        "A webhook, an event the API sends to subscribers, was removed from the spec.",
        "Subscribers stop receiving events they depend on, and nothing tells them why.",
        "Keep sending the webhook; deprecate it first, announce a date, and remove it in a "
        "new API version.",
    ),
    # the spec itself (the gate's own rules, not oasdiff's)
    "spec-unreadable": (
        "A spec file cannot be read: it is missing, binary, not UTF-8, or larger than the "
        "gate reads.",
        "What the gate cannot read it cannot compare, so it cannot tell whether the API "
        "contract still holds; it blocks rather than guess.",
        "Commit the spec as UTF-8 text under the size limit, and check that "
        "`checks.openapi.specs` names its path.",
    ),
    "spec-invalid-syntax": (
        "A spec is not valid YAML or JSON, or repeats a key.",
        "Clients, code generators and the gate cannot load it, so the contract it should "
        "define cannot be checked.",
        "Fix the syntax at the line shown; `gatekeeper openapi diff BASE HEAD` checks it locally.",
    ),
    "spec-template": (
        "A file named like a spec holds template actions (Go `{{ .X }}`, Jinja `{% if %}`, "
        "Helm) and is not valid YAML or JSON until rendered; it never loaded as a spec.",
        "The gate cannot render it, so it cannot compare the API before and after; a "
        "reviewer must read the change. It only warns: the file was never a loadable spec, "
        "and a spec that did load at base still blocks when it stops loading.",
        "Review the API change by hand, or commit the rendered spec (or generate it with "
        "`checks.openapi.generate`) so the gate can compare it.",
    ),
    "spec-not-openapi": (
        "A file taken for a spec has no top-level `openapi` or `swagger` key.",
        "Without its version no tool can tell which OpenAPI rules apply, so the contract "
        "cannot be checked.",
        "Add the version line (`openapi: 3.1.0`), or leave the file out of "
        "`checks.openapi.specs` if it is not a spec.",
    ),
    "spec-invalid": (
        "The spec does not validate against the OpenAPI schema of its version.",
        "Code generators, gateways and documentation tools may reject it or read it "
        "differently from what was meant, so clients get a broken contract.",
        "Fix the errors listed at their lines; `gatekeeper openapi diff BASE HEAD` shows "
        "them locally.",
    ),
    "spec-duplicate-key": (
        "A JSON object in the spec repeats a key; all but the last value are ignored.",
        "Parsers disagree on which copy wins, so clients and the gate may read two "
        "different contracts from one file.",
        "Remove the duplicate and keep the one value you mean.",
    ),
    "spec-ref-broken": (
        "A `$ref` points to a file or location that does not exist.",
        "The part of the contract behind it is missing: generators fail, and the gate cannot "
        "check what it cannot resolve.",
        "Point the `$ref` at an existing file and JSON pointer (a file path is relative to "
        "the file that holds the `$ref`).",
    ),
    "spec-ref-url": (
        "A `$ref` points to a URL; the gate follows only references inside the repository.",
        "A remote document can change without any pull request, so the contract it defines "
        "is never reviewed here.",
        "Copy the referenced document into the repository and point the `$ref` at that file.",
    ),
    "spec-ref-outside-repo": (
        "A `$ref` leaves the repository (an absolute path, or `../` past its root).",
        "What lies outside the repository is not part of the change under review, and may "
        "differ on every machine that builds the API.",
        "Move the referenced document into the repository and use a relative path inside it.",
    ),
    "spec-moved-out-of-sight": (
        "A spec was renamed to a path the gate does not discover: not a `.yaml`/`.json` "
        "file, or outside the globs of `checks.openapi.specs`.",
        "The gate compares the moved spec in this pull request, but the next one could "
        "change it freely: a rename is the easy way to take an API out of review.",
        "Keep a name the gate finds (`openapi.yaml`, `*.openapi.json`, any YAML or JSON "
        "whose top level names its OpenAPI version), or add the new path to "
        "`checks.openapi.specs` in the "
        "base branch's policy first.",
    ),
    # warnings
    "optional-response-header-removed": (
        "A response header the server could send, without promising it, was dropped from the spec.",
        "A warning: clients must already cope with its absence, but those that used it "
        "whenever present lose that information silently.",
        "Keep the header until its clients have moved, or announce its removal in the changelog.",
    ),
    "response-optional-property-removed": (
        "A property responses could carry, without promising it, was dropped from the schema.",
        "A warning: clients must already cope with its absence, but those that used it "
        "whenever present silently lose that data.",
        "Keep it, marked `deprecated: true` with an `x-sunset` date, until its clients have moved.",
    ),
    "response-body-media-type-schema-removed": (
        "The schema of a response media type was removed, so the response content is no "
        "longer described.",
        "A warning: nothing changes on the wire yet, but clients and generated SDKs lose the "
        "contract they parse against.",
        "Keep the schema, even a loose one, so clients know what they receive.",
    ),
    "request-parameter-removed": (
        "A request parameter was removed without being deprecated first.",
        "A warning: most servers ignore unknown parameters, but strict ones reject them, and "
        "clients silently lose whatever the parameter controlled.",
        "Deprecate it first (`deprecated: true` with an `x-sunset` date), keep accepting and "
        "ignoring it, then remove it.",
    ),
    "request-property-removed": (
        "A property was removed from the request body's schema.",
        "A warning: clients keep sending it; a server that rejects unknown properties fails "
        "their requests, one that ignores them drops the data silently.",
        "Deprecate the property first and keep accepting (and ignoring) it until clients "
        "have stopped sending it.",
    ),
    "request-parameter-property-type-changed": (
        "The type of a property of an object-valued request parameter changed in a way that "
        "breaks some serialisations but not others.",
        "A warning: whether old values still parse depends on how the object is serialised "
        "(`deepObject`, form, JSON), which the spec does not settle.",
        "Set the parameter's `style` and `explode` explicitly and check old values against "
        "the new type, or keep the old type.",
    ),
    "response-required-property-became-not-write-only": (
        "A required property that was write-only (sent by clients, never returned) is now "
        "part of responses.",
        "A warning: clients generated from the new spec expect it on every response, which "
        "holds only if the server really returns it.",
        "Make sure the server returns the property on every response before merging, or "
        "mark it optional in responses.",
    ),
}


#: (direction, level) -> the change table for composed ids of that direction and level
_TABLES: Mapping[tuple[str, Level], Mapping[str, tuple[str, str, str]]] = {
    ("request", Level.ERROR): REQUEST_CHANGES,
    ("request", Level.WARNING): REQUEST_WARNINGS,
    ("response", Level.ERROR): RESPONSE_CHANGES,
    ("response", Level.WARNING): RESPONSE_WARNINGS,
}


def _composed(rule_id: str, level: Level) -> tuple[str, str, str] | None:
    """The texts of a site-and-change id, with the site's wording filled in."""
    for direction, sites in (("request", REQUEST_SITES), ("response", RESPONSE_SITES)):
        for prefix, wording in sites.items():
            if not rule_id.startswith(prefix + "-"):
                continue
            template = _TABLES.get((direction, level), {}).get(rule_id[len(prefix) + 1 :])
            if template is None:
                return None
            capital = wording[0].upper() + wording[1:]
            what, why, instead = (part.format(x=wording, X=capital) for part in template)
            return what, why, instead
    return None


def explain(rule_id: str) -> Explanation | None:
    """The explanation of an OpenAPI rule id, or None when the id has none yet.

    A composed id takes the text written for its change at its own level, so a change
    that is an error for parameters and informational for bodies never borrows the
    error's wording.
    """
    texts = SPECIFIC.get(rule_id)
    if texts is None and rule_id in LEVELS:
        texts = _composed(rule_id, LEVELS[rule_id])
    return Explanation(*texts) if texts is not None else None
