"""End users of the chat platform: contacts identified by the tenant's external id (issue 9)."""
