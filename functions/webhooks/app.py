"""webhooks group: inbound SMS provider callbacks (issue 2), voice call-status callbacks
(issue 3), WhatsApp messages and status callbacks and Shopify's `orders/create` (issue 10),
signatures verified first.

The routes are plain `def` (they call DynamoDB, SQS and Step Functions, which block): only the
form is read by an async dependency, on the event loop, before the route runs in the thread
pool. The signature covers the public URL (PUBLIC_BASE_URL + path + query) and every form
parameter, checked with Twilio's `RequestValidator` (engage.webhooks.service.verify).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from twilio.twiml.messaging_response import MessagingResponse

from engage.attribution.conversions import record_order
from engage.attribution.schemas import ShopifyOrderReceiptResponse
from engage.core.envelope import ok
from engage.core.errors import Unauthorized, ValidationFailed
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.openapi import error_responses
from engage.core.settings import get_settings
from engage.voice.callbacks import status_callback as voice_status_callback
from engage.voice.public import VoiceCallbackResponse
from engage.webhooks import service, whatsapp
from engage.webhooks.public import WebhookReceiptResponse

sms_router = APIRouter(prefix="/webhooks/sms", tags=["webhooks"])
voice_router = APIRouter(prefix="/webhooks/voice", tags=["webhooks"])
whatsapp_router = APIRouter(prefix="/webhooks", tags=["webhooks"])
shopify_router = APIRouter(prefix="/webhooks/shopify", tags=["webhooks"])
Signature = Annotated[str, Header(alias="X-Twilio-Signature")]
TWIML = {200: {"content": {"application/xml": {}}, "description": "TwiML (a reply or nothing)"}}


async def _form(request: Request) -> dict[str, str]:
    """The request's form parameters (application/x-www-form-urlencoded, as Twilio posts)."""
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


Form = Annotated[dict[str, str], Depends(_form)]


async def _raw_body(request: Request) -> bytes:
    """The request's bytes as sent (Shopify signs the raw body)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


def _public_base(request: Request) -> str:
    """The base URL the provider called, which its signature covers: WEBHOOK_BASE_URL when set;
    behind a Lambda function URL, the URL's domain as Lambda reports it (not the client's Host
    header); else PUBLIC_BASE_URL (API Gateway, and the local runtime)."""
    settings = get_settings()
    if settings.webhook_base_url:
        return settings.webhook_base_url
    context = (request.scope.get("aws.event") or {}).get("requestContext") or {}
    domain = context.get("domainName")
    if isinstance(domain, str) and ".lambda-url." in domain:
        return f"https://{domain}"
    return settings.public_base_url


def _verified(provider: str, request: Request, params: dict[str, str], signature: str) -> None:
    url = _public_base(request) + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    service.verify(provider, url, params, signature)


@sms_router.post("/{provider}/status", response_model=WebhookReceiptResponse)
def status_callback(
    provider: str, request: Request, params: Form, signature: Signature = ""
) -> WebhookReceiptResponse:
    """Delivery receipt (Twilio status callback parameters)."""
    _verified(provider, request, params, signature)
    queued = service.status_callback(provider, params, request.query_params.get("ref"))
    return WebhookReceiptResponse.model_validate(ok(queued))


@sms_router.post("/{provider}/inbound", response_class=Response, responses=TWIML)
def inbound(provider: str, request: Request, params: Form, signature: Signature = "") -> Response:
    """A reply; answers TwiML (a message for HELP, empty otherwise)."""
    _verified(provider, request, params, signature)
    result = service.inbound(provider, params)
    twiml = MessagingResponse()
    if result["reply"]:
        twiml.message(result["reply"])
    return Response(str(twiml), media_type="application/xml")


@voice_router.post(
    "/{provider}/status", response_model=VoiceCallbackResponse, response_model_exclude_none=True
)
def voice_status(
    provider: str, request: Request, params: Form, signature: Signature = ""
) -> VoiceCallbackResponse:
    """Call-progress callback (Twilio voice StatusCallback parameters, issue 3): applied in
    `SequenceNumber` order, repeats ignored; the final status completes the call's execution."""
    _verified(provider, request, params, signature)
    result = voice_status_callback(provider, params, request.query_params.get("ref"))
    return VoiceCallbackResponse.model_validate(ok(result.model_dump()))


@whatsapp_router.post("/{provider}/whatsapp", response_class=Response, responses=TWIML)
def whatsapp_inbound(
    provider: str, request: Request, params: Form, signature: Signature = ""
) -> Response:
    """An inbound WhatsApp message (issue 10): STOP / START change WhatsApp consent only; any
    other message opens the 24-hour window and lands in the contact's WhatsApp conversation.
    Answers empty TwiML."""
    _verified(provider, request, params, signature)
    whatsapp.inbound(params)
    return Response(str(MessagingResponse()), media_type="application/xml")


@whatsapp_router.post("/{provider}/whatsapp/status", response_model=WebhookReceiptResponse)
def whatsapp_status(
    provider: str, request: Request, params: Form, signature: Signature = ""
) -> WebhookReceiptResponse:
    """WhatsApp status callback (sent, delivered, read, failed; Twilio's parameters)."""
    _verified(provider, request, params, signature)
    result = whatsapp.status_callback(provider, params, request.query_params.get("ref"))
    return WebhookReceiptResponse.model_validate(ok(result))


@shopify_router.post(
    "/orders",
    response_model=ShopifyOrderReceiptResponse,
    responses=error_responses(Unauthorized, ValidationFailed),
)
def shopify_order(
    body: RawBody,
    hmac_sha256: Annotated[str | None, Header(alias="X-Shopify-Hmac-Sha256")] = None,
    shop_domain: Annotated[str | None, Header(alias="X-Shopify-Shop-Domain")] = None,
    webhook_id: Annotated[str | None, Header(alias="X-Shopify-Webhook-Id")] = None,
    topic: Annotated[str | None, Header(alias="X-Shopify-Topic")] = None,
) -> ShopifyOrderReceiptResponse:
    """Shopify `orders/create`: counted as a conversion of each campaign whose short link the
    buyer clicked within ATTRIBUTION_CONVERSION_WINDOW_DAYS (engage/attribution/conversions.py);
    idempotent on the order id (Shopify redelivers). Unsigned, wrongly signed or from an
    unknown shop: 401, nothing changes; a signed body that is not an order: 400."""
    receipt = record_order(shop_domain, hmac_sha256, webhook_id, body, topic)
    return ShopifyOrderReceiptResponse(data=receipt)


router = APIRouter()
router.include_router(sms_router)
router.include_router(voice_router)
router.include_router(whatsapp_router)
router.include_router(shopify_router)
app = create_app("webhooks", [router])
handler = http_handler(app)
