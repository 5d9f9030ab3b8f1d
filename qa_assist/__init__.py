"""qa_assist: call QA, ticket triage and knowledge-base suggestions for automotive service centres.

Nothing heavy is imported here: models load lazily through :mod:`qa_assist.models`.
"""

__version__ = "0.1.0"
