"""The ticket data set (``tickets.jsonl``) and the generator that writes it."""
