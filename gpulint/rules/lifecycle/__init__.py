"""GL5xx: lifecycle rules that read several artifacts of one project together."""
