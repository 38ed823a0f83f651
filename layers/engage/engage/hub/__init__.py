"""The omnichannel hub (seed 003; issue 11): sessions, transfers and their messages, over
conversations (engage/conversations)."""
