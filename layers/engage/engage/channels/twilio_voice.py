"""Twilio Programmable Voice adapter, on Twilio's official Python SDK.

Places calls with `client.calls.create` (https://www.twilio.com/docs/voice/api/call-resource
#create-a-call-resource): `url` is the voice agent's TwiML endpoint (TWILIO_VOICE_AGENT_URL with
`{agent_id}` filled in; the agent id is opaque to Engage), `status_callback` is our call-status
webhook carrying the call's reference, with every progress event requested so that
`SequenceNumber` orders them, answering-machine detection on (`AnsweredBy`), and a `time_limit`
of CALL_MAX_SECONDS so a call ends before the state machine's wait times out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from engage.channels.twilio_sms import twilio_auth_token
from engage.channels.voice_base import CallPlacement, OutboundCall
from engage.core.observability import trace_requests
from engage.core.settings import Settings


class TwilioVoice:
    """Places calls through Twilio; `http_client` lets tests replace HTTP below the SDK."""

    name = "twilio"

    def __init__(self, settings: Settings, http_client: Any = None) -> None:
        if not settings.twilio_account_sid or not settings.twilio_voice_from_number:
            raise RuntimeError(
                "TWILIO_ACCOUNT_SID and TWILIO_VOICE_FROM_NUMBER must be set for twilio voice"
            )
        if not settings.twilio_voice_agent_url:
            raise RuntimeError("TWILIO_VOICE_AGENT_URL must be set for twilio voice")
        trace_requests()
        self.settings = settings
        self.client = Client(
            settings.twilio_account_sid, twilio_auth_token(settings), http_client=http_client
        )

    def place_call(self, call: OutboundCall) -> CallPlacement:
        """One `calls.create`; a TwilioRestException becomes a not-placed result."""
        agent_url = str(self.settings.twilio_voice_agent_url).replace(
            "{agent_id}", quote(call.agent_id or "", safe="")
        )
        try:
            created = self.client.calls.create(
                to=call.to,
                from_=self.settings.twilio_voice_from_number,
                url=agent_url,
                status_callback=call.status_callback_url,
                status_callback_method="POST",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
                machine_detection="Enable",
                time_limit=self.settings.call_max_seconds,
            )
        except TwilioRestException as exc:
            return CallPlacement(False, error=f"{exc.code} {exc.msg}")
        return CallPlacement(True, call_sid=created.sid)

    def fetch_status(self, call_sid: str, to: str) -> dict[str, str] | None:
        """One `calls(sid).fetch()` (https://www.twilio.com/docs/voice/api/call-resource
        #fetch-a-call-resource) as status-callback parameters; None when Twilio answers 404."""
        try:
            call = self.client.calls(call_sid).fetch()
        except TwilioRestException as exc:
            if exc.status == 404:
                return None
            raise
        params = {"CallSid": call_sid, "CallStatus": str(call.status or "")}
        if call.duration is not None:
            params["CallDuration"] = str(call.duration)
        if call.answered_by:
            params["AnsweredBy"] = str(call.answered_by)
        return params
