"""Rules: one module per rule, each registering itself by subclassing ``gpulint.rules.base.Rule``."""
