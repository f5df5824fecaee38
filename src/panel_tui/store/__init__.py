"""The ledger's store: tables, engine, migrations, operations, audit chain, queries.

Imports rules/, never Textual, so headless commands start fast.
"""
