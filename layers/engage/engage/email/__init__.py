"""E-mail as a channel (issue 10): marketing e-mail with one-click unsubscribe, SES bounce and
complaint events, inbound e-mail into conversations, and agent replies by e-mail."""
