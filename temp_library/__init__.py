"""The temp library: catalog, loudness, normalisation, licence status and usage in a cut."""
