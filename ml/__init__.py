"""Audio analysis for Neural Notes: decoding, log-mel spectrograms, the musicnn backbone.

A library with no Django in it: paths and arrays in, arrays out, configuration passed as
arguments, so that tasks, commands and benchmarks call the same functions.
"""
