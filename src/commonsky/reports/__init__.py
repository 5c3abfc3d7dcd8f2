"""Reports: files and tables assembled from the library for one question (e.g. a border zone and its places)."""
