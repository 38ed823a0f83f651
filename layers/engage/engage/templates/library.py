"""The read-only template library (seed 004 "Templates Page": copy/paste only, no campaign
association). Every template uses only variables campaigns accept and fits in one or two
GSM-7 segments."""

from __future__ import annotations

from engage.templates.schemas import TemplateListPublic, TemplatePublic

_TEMPLATES: list[tuple[str, str, str, str]] = [
    (
        "welcome",
        "welcome",
        "Welcome Message",
        "Welcome {{firstName|there}}! Thanks for joining us. Reply STOP to opt out.",
    ),
    (
        "welcome-discount",
        "welcome",
        "Welcome Discount",
        "Hi {{firstName|there}}, welcome aboard! Here is {{discount}} off your first order. "
        "Reply STOP to opt out.",
    ),
    (
        "abandoned-cart",
        "abandoned_cart",
        "Abandoned Cart Reminder",
        "Hi {{firstName|there}}, you left something in your cart. It's saved for you - "
        "complete your order any time. Reply STOP to opt out.",
    ),
    (
        "abandoned-cart-discount",
        "abandoned_cart",
        "Abandoned Cart with Code",
        "Still thinking it over, {{firstName|there}}? Use {{discount}} to finish your order "
        "today. Reply STOP to opt out.",
    ),
    (
        "order-confirmation",
        "order_confirmation",
        "Order Confirmation",
        "Thanks {{firstName|there}}! We've received your order and will let you know when it "
        "ships.",
    ),
    (
        "shipping",
        "shipping",
        "Shipping Update",
        "Good news {{firstName|there}}: your order is on its way! Watch for tracking details "
        "by email.",
    ),
    (
        "delivered",
        "shipping",
        "Delivery Confirmation",
        "Hi {{firstName|there}}, your order has been delivered. We hope you love it!",
    ),
    (
        "win-back",
        "win_back",
        "We Miss You",
        "We miss you, {{firstName|there}}! Come back and enjoy {{discount}} on your next order. "
        "Reply STOP to opt out.",
    ),
    (
        "birthday",
        "birthday",
        "Birthday Greeting",
        "Happy birthday {{firstName|there}}! Celebrate with {{discount}} off, this week only. "
        "Reply STOP to opt out.",
    ),
    (
        "review-request",
        "review_request",
        "Review Request",
        "Hi {{firstName|there}}, how are you enjoying your purchase? We'd love to hear your "
        "review. Reply STOP to opt out.",
    ),
    (
        "promotion",
        "promotion",
        "Flash Sale",
        "Flash sale! {{discount}} off everything for the next 24 hours. Don't miss it. "
        "Reply STOP to opt out.",
    ),
    (
        "back-in-stock",
        "back_in_stock",
        "Back in Stock",
        "Hi {{firstName|there}}, the item you wanted is back in stock. Grab it before it's "
        "gone! Reply STOP to opt out.",
    ),
    (
        "holiday",
        "holiday",
        "Holiday Greetings",
        "Happy holidays from all of us, {{firstName|there}}! Enjoy {{discount}} on gifts this "
        "season. Reply STOP to opt out.",
    ),
    (
        "vip",
        "loyalty",
        "VIP Thank You",
        "{{firstName|Friend}}, you're one of our best customers. Here's {{discount}} as a "
        "thank-you. Reply STOP to opt out.",
    ),
    (
        "appointment",
        "reminder",
        "Appointment Reminder",
        "Hi {{firstName|there}}, this is a reminder of your appointment tomorrow. Reply HELP "
        "for help.",
    ),
]


def list_templates() -> TemplateListPublic:
    """`{templates: [{id, name, category, message, content}]}`."""
    return TemplateListPublic(
        templates=[
            TemplatePublic(id=tid, name=name, category=category, message=text, content=text)
            for tid, category, name, text in _TEMPLATES
        ]
    )


def find_template(ref: str) -> TemplatePublic | None:
    """The library's template whose id or name is `ref` (case-insensitive, trimmed), or None
    (routing rules' `auto_reply:<template>`, issue 11)."""
    wanted = ref.strip().lower()
    for tid, category, name, text in _TEMPLATES:
        if wanted in (tid, name.lower()):
            return TemplatePublic(id=tid, name=name, category=category, message=text, content=text)
    return None
