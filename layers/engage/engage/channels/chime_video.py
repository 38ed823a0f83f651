"""Amazon Chime SDK Meetings video adapter (VIDEO_PROVIDER=chime; issue 10 "video").

The only module that calls the `chime-sdk-meetings` API (botocore's client, core/aws.py, unless
one is given: tests pass a client wrapped in botocore's Stubber):
- `CreateMeeting` with `ClientRequestToken` (one meeting per token, so a retried call answers
  the same meeting), `ExternalMeetingId` and `MediaRegion` (VIDEO_MEDIA_REGION, else
  AWS_REGION). Meeting lifecycle events go to EventBridge by default (no
  NotificationsConfiguration needed): `chime:MeetingEnded` is how minutes are counted
  (functions/video_events/app.py).
- `CreateAttendee` (`ExternalUserId`: the member or contact id), `DeleteMeeting` (ends the
  meeting for everyone; Chime then sends `chime:MeetingEnded` too), `GetMeeting`.
https://docs.aws.amazon.com/chime-sdk/latest/APIReference/API_Operations_Amazon_Chime_SDK_Meetings.html
`NotFoundException` means the meeting is gone (ended, or expired: Chime ends a meeting nobody
has joined for five minutes): `get_meeting` answers None, `end_meeting` nothing.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from engage.channels.video_base import Attendee, Meeting, VideoRefused
from engage.core import aws, keys
from engage.core.settings import Settings

NOT_FOUND = "NotFoundException"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "error"))


def _meeting(answer: dict[str, Any]) -> Meeting:
    meeting = answer["Meeting"]
    placement = meeting.get("MediaPlacement") or {}
    return Meeting(
        meeting_id=str(meeting["MeetingId"]),
        external_meeting_id=str(meeting.get("ExternalMeetingId") or ""),
        media_region=str(meeting.get("MediaRegion") or ""),
        media_placement={str(k): str(v) for k, v in placement.items() if isinstance(v, str)},
    )


class ChimeVideo:
    """Meetings through Amazon Chime SDK Meetings; see the module docstring."""

    name = "chime"

    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.media_region = settings.video_media_region or settings.aws_region
        self.client = client or aws.client("chime-sdk-meetings")

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = getattr(self.client, operation)(**params)
        except ClientError as exc:
            raise VideoRefused(_code(exc)) from None
        except BotoCoreError as exc:
            raise VideoRefused(type(exc).__name__) from None
        return answer

    def create_meeting(self, external_meeting_id: str, tenant_id: str) -> Meeting:
        """`CreateMeeting`; the ClientRequestToken is derived from the external meeting id, so
        a retry creates no second meeting. Raises VideoRefused with Chime's error code."""
        token = keys.video_client_request_token(external_meeting_id)
        answer = self._call(
            "create_meeting",
            ClientRequestToken=token,
            ExternalMeetingId=external_meeting_id,
            MediaRegion=self.media_region,
        )
        return _meeting(answer)

    def create_attendee(self, meeting_id: str, external_user_id: str) -> Attendee:
        """`CreateAttendee`; raises VideoRefused (`NotFoundException` once the meeting is gone)."""
        answer = self._call(
            "create_attendee", MeetingId=meeting_id, ExternalUserId=external_user_id
        )
        attendee = answer["Attendee"]
        return Attendee(
            attendee_id=str(attendee["AttendeeId"]),
            external_user_id=str(attendee.get("ExternalUserId") or external_user_id),
            join_token=str(attendee["JoinToken"]),
        )

    def end_meeting(self, meeting_id: str) -> None:
        """`DeleteMeeting`; a meeting already gone (NotFoundException) is no error."""
        try:
            self._call("delete_meeting", MeetingId=meeting_id)
        except VideoRefused as exc:
            if exc.reason != NOT_FOUND:
                raise

    def get_meeting(self, meeting_id: str) -> Meeting | None:
        """`GetMeeting`, or None when Chime no longer knows the meeting."""
        try:
            return _meeting(self._call("get_meeting", MeetingId=meeting_id))
        except VideoRefused as exc:
            if exc.reason == NOT_FOUND:
                return None
            raise
