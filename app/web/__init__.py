"""The HTTP channel: routes, wire models, security, observability and the static pages."""
