"""Bookkeeping of the conversation: delivery keys, button tokens, guided-flow state, invites."""
