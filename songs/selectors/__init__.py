"""Reads of the catalogue: querysets and plain values for pages, the API and commands, by topic
(catalogue, similarity, words, alchemy)."""
