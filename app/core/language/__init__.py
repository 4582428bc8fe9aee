"""Reading practitioners' English: text (the one normalise and stem), clean (request text), redact (identifiers out)."""
