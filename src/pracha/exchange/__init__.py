"""Inter-agency data exchange: member keys, signed HTTP messages (RFC 9421), and the mediator between
the portal and the agency registries (X-Road style identifiers `TH/GOV/<member>/<subsystem>`)."""
