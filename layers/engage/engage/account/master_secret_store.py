"""The identity master secret (issue 9 identity verification; engage/account/identity.py):
IDENTITY_MASTER_SECRET, else the Secrets Manager secret named by IDENTITY_MASTER_SECRET_ARN
(template.yaml `IdentityMasterSecret`; the local runtime generates IDENTITY_MASTER_SECRET and
keeps it in its state directory, like JWT_SECRET). Read once per process: changing it would
change every tenant's identity secret at once."""

from __future__ import annotations

from functools import lru_cache

from engage.core.settings import get_settings


@lru_cache(maxsize=1)
def master_secret() -> bytes:
    """The master secret's bytes; raises RuntimeError when neither setting is there."""
    settings = get_settings()
    if settings.identity_master_secret:
        return settings.identity_master_secret.encode()
    if settings.identity_master_secret_arn:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        from engage.core.aws import client

        provider = SecretsProvider(boto3_client=client("secretsmanager"))
        return str(provider.get(settings.identity_master_secret_arn, max_age=300)).encode()
    raise RuntimeError("IDENTITY_MASTER_SECRET or IDENTITY_MASTER_SECRET_ARN must be set")
