"""Privacy (PDPA): the rights served by the platform (access and portability, rectification, erasure,
restriction, objection) with the law's deadlines, decided by the data-protection officer; and the
controller's accountability (record of processing, privacy notices, retention, breach register)."""
