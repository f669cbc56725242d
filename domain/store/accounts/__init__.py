"""Who uses the service: sites and their keys, moderators, their sessions, sites' integrations."""
