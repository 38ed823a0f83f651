"""Pure building blocks: SMS segments, templates, phones, quiet hours, ids."""

from __future__ import annotations

import datetime as dt
import importlib.metadata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engage.campaigns.quiet_hours import quiet_until
from engage.core import ids
from engage.core.errors import ValidationFailed
from engage.core.phones import normalise_phone
from engage.core.render import parse_template, render
from engage.core.sms import encoding_of, segment_count
from engage.tenants.schemas import QuietHours, SettingsPublic


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("é" * 160, 1),
        ("ó" * 70, 1),
        ("ó" * 71, 2),
        ("ó" * 134, 2),
        ("ó" * 135, 3),
        ("😀" * 35, 1),
        ("😀" * 36, 2),
    ],
)
def test_segment_counting_follows_gsm7_and_ucs2_limits(text, segments):
    assert segment_count(text) == segments


def test_encoding_detection():
    assert encoding_of("Hello {name} [ok] €5") == "GSM-7"
    assert encoding_of("Xóchitl") == "UCS-2"


def test_templates_reject_unknown_variables_and_render_fallbacks():
    with pytest.raises(ValidationFailed) as err:
        parse_template("Hi {{first_name}} {{firstName}}")
    assert "first_name" in err.value.details["message"]
    t = parse_template("Hi {{ firstName | there }}, see https://x.test/a?b=1.", discount=None)
    assert t.links == ("https://x.test/a?b=1",)
    assert render(t.text, {"firstName": None}, ["https://s.rt/r/abc"]) == (
        "Hi there, see https://s.rt/r/abc."
    )
    assert render("Hi {{firstName}} {{lastName}}, bye", {"firstName": "Ann"}) == "Hi Ann, bye"


@given(st.text(max_size=400), st.characters())
def test_adding_a_character_never_makes_a_message_cheaper(text, char):
    assert segment_count(text + char) >= segment_count(text) >= (1 if text else 0)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("'+16145550144", None, "+16145550144"),
        ("(512) 555-0115", "US", "+15125550115"),
        ("0491 570 156", "AU", "+61491570156"),
        ("12345", "US", None),
        ("", "US", None),
        ("call me", "US", None),
    ],
)
def test_phone_normalisation(raw, region, expected):
    assert normalise_phone(raw, region) == expected


def test_quiet_hours_wrap_midnight_in_the_tenant_zone():
    s = SettingsPublic(
        timezone="America/New_York", quietHours=QuietHours(enabled=True, start="21:00", end="08:00")
    )
    inside = dt.datetime(2026, 7, 1, 3, 0, tzinfo=dt.UTC)  # 23:00 New York (EDT)
    outside = dt.datetime(2026, 7, 1, 16, 0, tzinfo=dt.UTC)  # 12:00 New York
    assert quiet_until(s, inside) == dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert quiet_until(s, outside) is None


def test_ids_sort_by_time():
    early, late = ids.new_id(1_000), ids.new_id(2_000)
    assert early < late and ids.id_floor(2_000) <= late and len(early) == 26


# -- /capabilities and the version ------------------------------------------------------------
def test_capabilities_report_what_this_deployment_ships(h):
    caps = h.client.get("/capabilities")

    assert caps.status_code == 200
    body = caps.json()
    # seed 003 section 7: a list of the channels this deployment has (all six, on sandboxes)
    assert body["channels"] == ["sms", "voice", "whatsapp", "email", "chat", "video"]
    assert body["channelDetails"]["voice"] == {"enabled": True, "provider": "sandbox"}
    assert body["channelDetails"]["chat"] == {"enabled": True, "provider": "engage"}
    assert {"campaigns", "contacts_import", "voice_campaigns", "call_queue"} <= set(
        body["features"]
    )
    assert {"session_transfer", "analytics", "routing"} <= set(body["features"])
    assert body["version"] == importlib.metadata.version("engage")
    assert body["limits"]["pageSizeMax"] == 100


@pytest.mark.parametrize(
    ("env", "sms", "voice"),
    [
        ({"VOICE_STATE_MACHINE_ARN": ""}, "sandbox", None),
        (
            {"VOICE_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"},
            "sandbox",
            None,
        ),
        (
            {
                "VOICE_PROVIDER": "twilio",
                "TWILIO_ACCOUNT_SID": "AC1",
                "TWILIO_AUTH_TOKEN": "t",
                "TWILIO_VOICE_FROM_NUMBER": "+15017122661",
                "TWILIO_VOICE_AGENT_URL": "https://agents.example.test/{agent_id}",
            },
            "sandbox",
            "twilio",
        ),
        ({"SMS_PROVIDER": "twilio"}, None, "sandbox"),
    ],
    ids=["no-call-machine", "twilio-without-caller-number", "twilio-voice", "twilio-sms-no-creds"],
)
def test_capabilities_follow_the_configuration(monkeypatch, env, sms, voice):
    from engage.core.settings import get_settings
    from engage.system.service import capabilities

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        caps = capabilities()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    assert caps["channelDetails"]["sms"]["provider"] == sms
    assert caps["channelDetails"]["voice"] == {"enabled": voice is not None, "provider": voice}
    listed = [c for c in caps["channels"] if c in ("sms", "voice")]
    assert listed == [c for c, p in (("sms", sms), ("voice", voice)) if p]
    assert ("voice_campaigns" in caps["features"]) is (voice is not None)
    assert ("campaigns" in caps["features"]) is (sms is not None)


def test_capabilities_name_the_providers_of_whatsapp_email_and_video(monkeypatch):
    from engage.core.settings import get_settings
    from engage.system.service import capabilities

    monkeypatch.setenv("EMAIL_PROVIDER", "ses")
    monkeypatch.setenv("VIDEO_PROVIDER", "chime")
    monkeypatch.setenv("EVENT_BUS_NAME", "")
    get_settings.cache_clear()
    try:
        caps = capabilities()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    assert caps["channelDetails"]["email"] == {"enabled": True, "provider": "ses"}
    assert caps["channelDetails"]["video"] == {"enabled": True, "provider": "chime"}
    # without the event bus, nothing routes, counts or notifies: those features are not offered
    assert not {"routing", "analytics", "notifications"} & set(caps["features"])


def test_every_app_is_versioned_from_the_package_metadata():
    from engage.core.http import create_app

    assert create_app("x", []).version == importlib.metadata.version("engage")


def test_every_error_code_is_in_the_documented_enum():
    from engage.core import errors
    from engage.core.http import _STATUS_CODES
    from engage.core.schemas import ErrorCode

    raised = {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.EngageError)
    }
    assert raised | set(_STATUS_CODES.values()) <= set(ErrorCode)
