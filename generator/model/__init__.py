"""Model: the typed records (``models``), their files (``records``), every id and URL (``ids``),
the archive as a whole (``archive``), publishers (``publishers``, ``divisions``) and how records
are named to readers (``labels``). Imports no other stage."""
