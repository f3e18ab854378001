"""Citizen participation: complaints routed to the responsible agency, public hearings on drafts,
petitions with tallies anyone can recount from the ledger, and the moderation of what the public reads."""
