"""Quickstart snippets (issue 9 `GET /admin/docs/quickstart`), filled with the tenant's app id,
the API base URL (PUBLIC_BASE_URL) and the realtime URL (settings `realtime_url`).

A key is never retrievable after its creation, so the snippets carry the placeholder
`<YOUR_PUBLISHABLE_KEY>`; the answer names the newest active publishable key (id, name,
prefix) so the reader knows which one to paste, and says when there is none yet. The identity
hash is computed on the tenant's server (Python, Node): the identity secret never goes in an
app.
"""

from __future__ import annotations

from engage.account import identity
from engage.account.guide_schemas import QuickstartKey, QuickstartPublic, QuickstartSnippet
from engage.apikeys import service as apikeys
from engage.core.errors import NotFound
from engage.core.settings import get_settings

KEY_PLACEHOLDER = "<YOUR_PUBLISHABLE_KEY>"
SECRET_PLACEHOLDER = "<YOUR_IDENTITY_SECRET>"


def _snippets(api: str, ws: str, key_note: str, verified: bool) -> list[QuickstartSnippet]:
    hash_header = '  -H "X-User-Hash: <USER_HASH>" \\\n' if verified else ""
    hash_param = "&user_hash=${userHash}" if verified else ""  # hex: nothing to encode
    hash_js = "    'X-User-Hash': userHash,\n" if verified else ""
    return [
        QuickstartSnippet(
            id="curl_identify",
            title="Identify an end user (curl)",
            language="shell",
            code=(
                f"# {key_note}\n"
                f"curl -X POST {api}/v1/users/identify \\\n"
                f'  -H "X-API-Key: {KEY_PLACEHOLDER}" \\\n'
                '  -H "X-User-Id: user-123" \\\n'
                f"{hash_header}"
                '  -H "Content-Type: application/json" \\\n'
                '  -d \'{"name": "Ada", "email": "ada@example.com", '
                '"metadata": {"device": {"platform": "web"}}}\'\n'
            ),
        ),
        QuickstartSnippet(
            id="web_init",
            title="Web: open a conversation and listen live (JavaScript)",
            language="javascript",
            code=(
                f"// {key_note}\n"
                f"const apiKey = '{KEY_PLACEHOLDER}';\n"
                "const userId = 'user-123';\n"
                + ("const userHash = '<USER_HASH from your server>';\n" if verified else "")
                + "const headers = {\n"
                "    'X-API-Key': apiKey,\n"
                "    'X-User-Id': userId,\n"
                f"{hash_js}"
                "    'Content-Type': 'application/json',\n"
                "};\n"
                f"const conversation = await fetch('{api}/v1/conversations', {{\n"
                "    method: 'POST', headers, body: JSON.stringify({}),\n"
                "}).then((r) => r.json());\n"
                f"const socket = new WebSocket(`{ws}?api_key=${{apiKey}}"
                f"&user_id=${{encodeURIComponent(userId)}}{hash_param}`);\n"
                "socket.onmessage = (e) => console.log(JSON.parse(e.data));\n"
            ),
        ),
        QuickstartSnippet(
            id="server_hash_python",
            title="Your server: the identity hash (Python)",
            language="python",
            code=(
                "import hashlib\nimport hmac\n\n"
                f'IDENTITY_SECRET = "{SECRET_PLACEHOLDER}"  # POST /admin/account/identity-secret\n'
                "\n\ndef user_hash(user_id: str) -> str:\n"
                "    return hmac.new(IDENTITY_SECRET.encode(), user_id.encode(), "
                "hashlib.sha256).hexdigest()\n"
            ),
        ),
        QuickstartSnippet(
            id="server_hash_node",
            title="Your server: the identity hash (Node.js)",
            language="javascript",
            code=(
                "const crypto = require('crypto');\n"
                f"const IDENTITY_SECRET = '{SECRET_PLACEHOLDER}';\n"
                "const userHash = (userId) =>\n"
                "    crypto.createHmac('sha256', IDENTITY_SECRET).update(userId).digest('hex');\n"
            ),
        ),
    ]


def quickstart(tenant_id: str) -> QuickstartPublic:
    """The snippets for `tenant_id`. Raises NotFound."""
    state = identity.state_of(tenant_id)
    if state is None:
        raise NotFound("Tenant not found")
    settings = get_settings()
    newest = apikeys.overview(tenant_id).newest_publishable
    key = QuickstartKey.model_validate(newest) if newest is not None else None
    if key is not None:
        note = f"Paste your publishable key {key.prefix}... ({key.name}) over {KEY_PLACEHOLDER}"
    else:
        note = f"Create a publishable key first (POST /admin/api-keys): {KEY_PLACEHOLDER}"
    note = f"App {tenant_id}. {note}"
    api, ws = settings.public_base_url, settings.realtime_url
    return QuickstartPublic(
        app_id=tenant_id,
        api_base_url=api,
        realtime_url=ws,
        key_placeholder=KEY_PLACEHOLDER,
        has_publishable_key=key is not None,
        publishable_key=key,
        identity_verification_enabled=state.enabled,
        snippets=_snippets(api, ws, note, state.enabled),
    )
