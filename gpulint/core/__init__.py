"""The bottom layer: sources and spans, findings, limits, run errors. Imports nothing else of gpulint."""
