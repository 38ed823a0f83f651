"""S3 event notifications in the local runtime (issue 10: inbound e-mail is SES -> S3 -> SQS ->
the worker). moto's S3 delivers `s3:ObjectCreated:*` events to an SQS queue once the bucket
has a notification configuration, which the runtime's provisioning does not set: `install`
sets, for every bucket of the template with `NotificationConfiguration.QueueConfigurations`,
the same configuration on the embedded AWS, so an object put in the bucket reaches the
queue's poller and its function as on AWS. `INSTALLED` tells local routes that it did."""

from __future__ import annotations

import threading
from typing import Any

from local.cfn import Resolver

INSTALLED = threading.Event()


def install(template: dict[str, Any], resolver: Resolver) -> int:
    """Configure the buckets' queue notifications on the embedded S3 (after the buckets and
    queues exist); returns how many buckets got one."""
    import boto3

    s3 = boto3.client("s3")
    done = 0
    for logical, res in template["Resources"].items():
        if res["Type"] != "AWS::S3::Bucket":
            continue
        notification = res.get("Properties", {}).get("NotificationConfiguration") or {}
        queues = [
            {"QueueArn": resolver.value(q["Queue"]), "Events": [resolver.value(q["Event"])]}
            for q in notification.get("QueueConfigurations", [])
        ]
        if queues and logical in resolver.refs:
            s3.put_bucket_notification_configuration(
                Bucket=resolver.refs[logical],
                NotificationConfiguration={"QueueConfigurations": queues},
            )
            done += 1
    if done:
        INSTALLED.set()
    return done
