"""Conversations and messages of the chat platform (seed 001; issue 9)."""
