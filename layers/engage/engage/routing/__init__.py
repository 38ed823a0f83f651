"""Routing: rules, agent groups, presence and capacity-bounded assignment (issue 11)."""
