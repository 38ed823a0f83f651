"""The invitation e-mail (issue 9: "`POST {email, role}` e-mails an invitation"): plain text
and simple HTML with the link, the tenant's name and who invited."""

from __future__ import annotations

import html

from engage.channels.email_base import OutboundEmail


def invitation_email(
    *, to: str, tenant_id: str, tenant_name: str, inviter: str, role: str, url: str, days: int
) -> OutboundEmail:
    """The e-mail inviting `to` to `tenant_name` as `role`; the link expires in `days` days."""
    subject = f"{inviter} invited you to {tenant_name} on Engage"
    text = (
        f"{inviter} invited you to join {tenant_name} on Engage as {role}.\n\n"
        f"Accept the invitation and choose your password here:\n{url}\n\n"
        f"The link works once and expires in {days} days. If you did not expect this e-mail, "
        "ignore it.\n"
    )
    e = html.escape
    body = (
        '<!doctype html><html><body style="font-family:system-ui,sans-serif">'
        f"<p><strong>{e(inviter)}</strong> invited you to join <strong>{e(tenant_name)}"
        f"</strong> on Engage as <strong>{e(role)}</strong>.</p>"
        f'<p><a href="{e(url)}">Accept the invitation</a></p>'
        f"<p>Or open this link: {e(url)}</p>"
        f"<p>The link works once and expires in {days} days. If you did not expect this "
        "e-mail, ignore it.</p></body></html>"
    )
    return OutboundEmail(to=to, subject=subject, text=text, html=body, tenant_id=tenant_id)
