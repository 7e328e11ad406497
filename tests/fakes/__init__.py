"""Local stand-ins for the chat platforms' HTTP APIs, served on 127.0.0.1 with an ephemeral port.

They speak the real wire format, so the real client libraries (slack_sdk, python-telegram-bot)
talk to them unchanged; every call is recorded for the tests to assert on.
"""
