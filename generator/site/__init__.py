"""Site: the pages (``pages``, ``templates/``), the Atom feed, charts, the link check, the theme
(``theme/``) and the MkDocs plugin (``plugin``; MkDocs internals only in ``mkdocs_internals``).
Never imports ingest."""
