"""Customer satisfaction ratings of sessions (issue 11 "Analytics"; README "Customer
satisfaction ratings")."""
