"""Which video adapter a process uses (VIDEO_PROVIDER: `sandbox`, the default, or `chime`)."""

from __future__ import annotations

from engage.channels.video_base import VideoAdapter
from engage.core.settings import get_settings


def video_adapter() -> VideoAdapter:
    """The configured adapter (cheap to make: one per request is fine)."""
    settings = get_settings()
    if settings.video_provider == "chime":
        from engage.channels.chime_video import ChimeVideo

        return ChimeVideo(settings)
    from engage.channels.video_sandbox import SandboxVideo

    return SandboxVideo()
