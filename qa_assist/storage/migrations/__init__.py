"""Alembic migrations of the database schema, shipped inside the package.

``open_database`` applies them (``qa_assist.storage.migrate``); no alembic.ini is needed at run
time. To write the next one from a source checkout, after changing ``tables.py``::

    printf '[alembic]\\nscript_location = qa_assist/storage/migrations\\n' > /tmp/alembic.ini
    alembic -c /tmp/alembic.ini -x url=sqlite:////tmp/scratch.db upgrade head
    alembic -c /tmp/alembic.ini -x url=sqlite:////tmp/scratch.db revision --autogenerate -m "..."

then read and tidy what it wrote. Keep migrations dialect-neutral (SQLite and PostgreSQL): use
``op.batch_alter_table`` for what SQLite cannot ALTER, and name new unique constraints.
"""
