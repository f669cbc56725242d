"""The Flask face of the service: intake API, moderator pages, OpenAPI document."""
