"""Video sessions: meetings of a conversation on the `video` channel (issue 10 "video")."""
