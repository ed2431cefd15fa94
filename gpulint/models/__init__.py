"""Parsed models of the artifacts gpulint reads; every model keeps source positions."""
