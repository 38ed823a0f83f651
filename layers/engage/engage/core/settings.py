"""One typed configuration class, read once per cold start (STYLE.md rule 3).

Every environment variable Engage reads is a field here; README.md "Configuration" lists them.
Names of tables, queues, buckets and state machines have no defaults: a Lambda without them
fails at start, not on the first request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Settings(BaseModel):
    """Engage configuration from the environment (see README.md "Configuration").

    A field `foo_bar` is read from `FOO_BAR` (or its alias), case-insensitively; values are
    validated and converted by pydantic (`"1000"` -> 1000). A plain model rather than
    pydantic-settings, which added a third of `import boto3` to every cold start (issue 8,
    section 6) for sources Engage does not use (dotenv files, secrets directories, CLI)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=False, frozen=False)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every field from `environ` (default `os.environ`); raises pydantic's
        ValidationError for a missing resource name or a value out of range."""
        env = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
        values: dict[str, str] = {}
        for name, field in cls.model_fields.items():
            key = (field.alias or name).upper()
            if key in env:
                values[field.alias or name] = env[key]
        return cls.model_validate(values)

    stage: Literal["local", "dev", "staging", "prod"] = "local"
    aws_region: str = Field(default="us-east-1", alias="AWS_REGION")
    aws_endpoint_url: str | None = Field(default=None, alias="AWS_ENDPOINT_URL")

    # Resources (from template.yaml; the local runtime sets them from the same template).
    table_name: str
    idempotency_table_name: str
    send_queue_url: str
    receipts_queue_url: str
    import_queue_url: str
    import_bucket: str
    dispatch_state_machine_arn: str
    scheduler_group: str
    scheduler_role_arn: str
    scheduled_dispatch_function_arn: str
    voice_state_machine_arn: str = ""
    voice_sandbox_queue_url: str = ""

    # Auth.
    jwt_secret: str | None = None
    jwt_secret_arn: str | None = None
    jwt_issuer: str = "engage"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86400)
    refresh_token_ttl_seconds: int = Field(default=30 * 86400, ge=3600)

    # Product.
    initial_credits: int = Field(default=1000, ge=0)
    allowed_origins: str = ""
    url_shortener_base_url: str = "http://127.0.0.1:3000"
    public_base_url: str = "http://127.0.0.1:3000"
    # Where providers post their callbacks: the webhooks function's own URL on AWS (a Lambda
    # function URL, which costs nothing per request), else PUBLIC_BASE_URL.
    webhook_base_url: str | None = None
    import_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    import_sync_max_rows: int = Field(default=10_000, ge=1)
    login_rate_limit_per_minute: int = Field(default=20, ge=1)
    # Refresh tokens are not guessable: refreshes get their own, generous budget per client.
    refresh_rate_limit_per_minute: int = Field(default=120, ge=1)

    # Sharding and batching of the hot paths (DESIGN.md section 2 and 5).
    contact_shards: int = Field(default=4, ge=1, le=64)
    message_shards: int = Field(default=8, ge=1, le=64)
    counter_shards: int = Field(default=4, ge=1, le=64)
    dispatch_page_size: int = Field(default=1000, ge=10, le=5000)
    recipients_per_message: int = Field(default=100, ge=1, le=200)
    # Campaigns on several channels (issue 10; README "Campaigns on any channel"): marketing
    # messages one contact may get per channel in any rolling window of this many days, across
    # all campaigns (0: no cap). A capped recipient is skipped (and refunded) at send time.
    campaign_frequency_cap: int = Field(default=3, ge=0, le=1000)
    campaign_frequency_window_days: int = Field(default=7, ge=1, le=90)

    # Providers.
    sms_provider: Literal["sandbox", "twilio"] = "sandbox"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_secret_arn: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_from_number: str | None = None
    sandbox_webhook_secret: str | None = None
    # WhatsApp (issue 10): Twilio's WhatsApp senders on the same account and SDK as SMS.
    # Sends go from TWILIO_WHATSAPP_MESSAGING_SERVICE_SID when set, else from the WhatsApp
    # sender TWILIO_WHATSAPP_FROM_NUMBER (E.164; the `whatsapp:` prefix is added).
    whatsapp_provider: Literal["sandbox", "twilio"] = "sandbox"
    twilio_whatsapp_from_number: str | None = None
    twilio_whatsapp_messaging_service_sid: str | None = None

    # Voice calls (issue 3, seed 002 "Environment Variables Required").
    system_concurrent_calls_limit: int = Field(default=10, ge=1, le=10_000)
    default_user_concurrent_calls_limit: int = Field(default=2, ge=1, le=10)
    voice_provider: Literal["sandbox", "twilio"] = "sandbox"
    twilio_voice_from_number: str | None = None
    twilio_voice_agent_url: str | None = None
    call_max_seconds: int = Field(default=3600, ge=60, le=14_400)
    sandbox_call_seconds: int = Field(default=4, ge=0, le=900)
    reaper_grace_seconds: int = Field(default=60, ge=0, le=3600)
    # Agent assignment (issue 11): a slot younger than this whose session is still unassigned
    # may be an assignment in flight; the event consumer leaves it, the sweep frees it after.
    assignment_grace_seconds: int = Field(default=60, ge=0, le=3600)

    # The event backbone (issue 9): the EventBridge custom bus domain events go to.
    event_bus_name: str = ""
    # Realtime (issue 9): the WebSocket API's management endpoint
    # (https://<api-id>.execute-api.<region>.amazonaws.com/<stage>; the local runtime's own).
    realtime_endpoint: str = ""
    # The WebSocket URL clients connect to (wss://<api-id>.execute-api...; the quickstart shows
    # it). Without it: PUBLIC_BASE_URL as ws(s)://.../v1/realtime, the local runtime's.
    realtime_public_url: str | None = None

    # API keys and identity verification (issue 9 "Keys"; README "Chat platform").
    # A rotated API key's old value keeps working this long (24 hours by default).
    api_key_rotation_grace_seconds: int = Field(default=86_400, ge=0, le=30 * 86_400)
    # Identity secrets are derived from one master secret (never stored per tenant): set
    # IDENTITY_MASTER_SECRET, or IDENTITY_MASTER_SECRET_ARN (Secrets Manager) on AWS.
    identity_master_secret: str | None = None
    identity_master_secret_arn: str | None = None
    # A rotated identity secret's previous version keeps verifying hashes this long.
    identity_secret_rotation_grace_seconds: int = Field(default=86_400, ge=0, le=30 * 86_400)

    # Team invitations and e-mail (issue 9; DESIGN.md section 5 "Providers"). The invitation
    # link is CONSOLE_BASE_URL + /accept-invite?token=...: the console's page, which posts the
    # token to POST /auth/invitations/{token}/accept.
    console_base_url: str = "http://127.0.0.1:3000"
    invitation_ttl_seconds: int = Field(default=7 * 86400, ge=300, le=30 * 86400)
    email_provider: Literal["sandbox", "ses"] = "sandbox"
    email_from_address: str = "Engage <no-reply@engage.invalid>"
    email_configuration_set: str | None = None

    # E-mail as a channel (issue 10; README "E-mail channel"). Inbound mail to a tenant is
    # addressed `<tenantId>@INBOUND_EMAIL_DOMAIN` (the domain of the SES receipt rule), stored
    # by SES in INBOUND_EMAIL_BUCKET ("" = no inbound e-mail). SES events (bounces, complaints)
    # are accepted only from the SNS topic SES_EVENTS_TOPIC_ARN (unset: every one is refused).
    # EMAIL_UNSUBSCRIBE_MAILTO, when set, adds `<mailto:...>` to List-Unsubscribe (inbound mail
    # to it with the token as subject unsubscribes too). Thread mappings (Message-ID ->
    # conversation) live EMAIL_THREAD_TTL_DAYS.
    inbound_email_domain: str = "inbound.localhost"
    inbound_email_bucket: str = ""
    ses_events_topic_arn: str | None = None
    email_unsubscribe_mailto: str | None = None
    email_thread_ttl_days: int = Field(default=365, ge=1, le=3650)
    # Campaign attribution (issue 10; engage/attribution): a customer's message within this
    # many hours after a campaign's message reached them is a response to the campaign; an
    # order within this many days after they clicked its link is a conversion.
    attribution_response_window_hours: int = Field(default=72, ge=1, le=24 * 30)
    attribution_conversion_window_days: int = Field(default=5, ge=1, le=90)
    # Customer history (issue 11, seed 003 section 4; engage/customers): the campaigns whose
    # messages a history looks for are those sending or sent in the last this many days.
    customer_history_campaign_days: int = Field(default=90, ge=1, le=3650)
    # Customer satisfaction ratings (issue 11; README "Customer satisfaction ratings"): a
    # rating request waits this many hours for the customer's 1-5 answer; on WhatsApp outside
    # the 24-hour window the request goes as this approved Content API template (`HX...`), or
    # is not sent when it is empty.
    rating_reply_window_hours: int = Field(default=72, ge=1, le=24 * 30)
    rating_whatsapp_template_sid: str = ""

    # Channels and integrations (issue 10; README "Channels and integrations"). Tenant
    # credentials live in Secrets Manager as `<CHANNEL_SECRET_PREFIX>/<tenantId>/<channel>`
    # (template.yaml sets `<stack>/channels` and scopes the IAM policy to it; without it:
    # `engage/<stage>/channels`). A channel's provider check is reused this long, in seconds
    # (stored on the channel's item with the check), and a provider call gives up after
    # PROVIDER_PROBE_TIMEOUT_SECONDS.
    channel_secret_prefix: str | None = None
    # A webhook URL's host must resolve to public addresses only; one that does not resolve is
    # refused as well, except on the local stage (a laptop may have no DNS) unless
    # WEBHOOK_DNS_REQUIRED=true.
    webhook_dns_required: bool | None = None
    channel_probe_ttl_seconds: int = Field(default=60, ge=0, le=3600)
    provider_probe_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    # `POST /integrations/{integrationType}/test` calls a provider each time: per tenant.
    integration_test_rate_limit_per_minute: int = Field(default=20, ge=1, le=1000)

    # Video sessions (issue 10 "video"; README "Video sessions"): meetings of the sandbox or of
    # Amazon Chime SDK Meetings, in VIDEO_MEDIA_REGION (a Chime media region; else AWS_REGION).
    video_provider: Literal["sandbox", "chime"] = "sandbox"
    video_media_region: str | None = None

    # Notifications (issue 11 "Notifications"; README "Notifications (seed 003)"): a
    # high-priority session unassigned this long raises a `session_alert` (checked every
    # minute); a tenant's credit balance falling below CREDITS_LOW_THRESHOLD raises
    # `credits_low`; notifications expire after NOTIFICATION_RETENTION_DAYS.
    session_alert_wait_seconds: int = Field(default=300, ge=60, le=86_400)
    credits_low_threshold: int = Field(default=100, ge=1)
    notification_retention_days: int = Field(default=90, ge=1, le=3650)

    @field_validator(
        "url_shortener_base_url", "public_base_url", "webhook_base_url", "console_base_url"
    )
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None

    @property
    def callback_base_url(self) -> str:
        """Base of the provider callback URLs we hand out (`/webhooks/...` goes after it)."""
        return self.webhook_base_url or self.public_base_url

    @property
    def realtime_url(self) -> str:
        """The WebSocket URL clients connect to (REALTIME_PUBLIC_URL or derived)."""
        if self.realtime_public_url:
            return self.realtime_public_url.rstrip("/")
        scheme, _, rest = self.public_base_url.partition("://")
        return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/v1/realtime"

    @property
    def webhook_dns_checked(self) -> bool:
        """Whether a webhook host that does not resolve is refused (WEBHOOK_DNS_REQUIRED)."""
        if self.webhook_dns_required is not None:
            return self.webhook_dns_required
        return self.stage != "local"

    @property
    def channel_secrets_prefix(self) -> str:
        """The Secrets Manager name prefix of tenant channel credentials."""
        return (self.channel_secret_prefix or f"engage/{self.stage}/channels").rstrip("/")

    @property
    def origins(self) -> list[str]:
        """`ALLOWED_ORIGINS` as a list (comma-separated in the environment)."""
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once (tests call `get_settings.cache_clear()`)."""
    return Settings.from_environ()
