"""The cooperative's model: aggregates, events and value objects.

Pure: standard library and ``eventsourcing.domain`` only (a test enforces it).
"""
