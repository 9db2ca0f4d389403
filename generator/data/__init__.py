"""Data: the Frictionless data package (``datapackage``) and its SQLite form (``sqlite_export``)."""
