"""Search: search records from the archive and the Pagefind index (``index``); Pagefind's own
bundle format, which the index extends, only in ``bundle``."""
