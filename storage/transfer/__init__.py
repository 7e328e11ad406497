"""Data in and out as CSV: the importer, its loaders and header maps, the Maven set, export."""
