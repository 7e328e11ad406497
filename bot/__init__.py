"""The process: CLI, wiring, the dispatcher, the scheduler and its jobs, and the chat adapters."""
