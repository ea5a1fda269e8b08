"""The guideline's vocabulary: what is assessed, what passes, and the words for it (`protocol`).

Plain Python that imports no app and no Django (import-linter's contract in pyproject.toml), so
every layer above may read it: the bottom of the layers, under `lib`."""
