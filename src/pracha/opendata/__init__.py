"""Open government data (issue 17): a CKAN-compatible catalogue with the Thai Government Data Catalog
metadata, a datastore of validated tables, DCAT and Project Open Data feeds, statistics Pracha computes
from its own transactions with a disclosure-control guarantee, and a ledger receipt for every file
version it publishes."""
