"""Ingest: gazette sources → records. Pure parsing (``parse`` and the modules it uses, each a
part of a document or an issue: ``layout``, ``dates``, ``docnumbers``, ``tables``,
``appointments``, ``events``, ``references``) with problems as data; ``sources`` decodes bytes;
``stage`` is the I/O edge that reads sources and writes records. Never imports the site."""
