"""Web pages for QA specialists and agents."""
