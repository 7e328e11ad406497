"""What scheduled sends read and record: subscriptions, the run ledger, digests, reminders."""
