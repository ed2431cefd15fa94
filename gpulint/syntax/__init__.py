"""Parsers that turn text into trees with positions (YAML, shell, Python, expression languages); they know no artifact."""
