"""The bot process: CLI, settings, wiring, core message types, the dispatcher and adapters."""
