"""Amazon Chime SDK meeting lifecycle events -> video sessions (issue 10 "video").

An EventBridge rule on the default bus (template.yaml `VideoEventsFunction`) sends each
`aws.chime` `Chime Meeting State Change` event whose `eventType` is `chime:MeetingStarted` or
`chime:MeetingEnded` here (https://docs.aws.amazon.com/chime-sdk/latest/dg/using-events.html).
The session records its start or its end once (engage/video/ending.py); a redelivered event
changes nothing. An event that is not Chime's shape is logged and dropped (a retry would not
fix it); a failed write raises, so Lambda's asynchronous retries and the DLQ take over.
"""

from typing import Any

from pydantic import ValidationError

from engage.core.handlers import worker_handler
from engage.core.observability import logger
from engage.video import ending
from engage.video.schemas import ChimeMeetingEvent


def _handle(event: dict[str, Any], context: Any) -> dict[str, bool]:
    try:
        parsed = ChimeMeetingEvent.model_validate(event)
    except ValidationError:
        logger.warning("not a Chime meeting event; dropped")
        return {"changed": False}
    return {"changed": ending.on_meeting_event(parsed)}


handler = worker_handler(_handle)
