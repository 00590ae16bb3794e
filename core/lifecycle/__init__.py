"""A business's whole life on the platform: onboarding, export, restore and deletion.

* ``onboarding`` — a new business, its owner and defaults in one transaction, the owner invited;
* ``archive`` — the export archive's format: members, manifest, checksums;
* ``export`` — one business's rows and files to an archive, in its own scope, one snapshot;
* ``restore`` — an archive into this database, all or nothing, ids kept where free;
* ``deletion`` — every row, file and cache entry of a business, verified by counting what remains;
* ``jobs`` — an owner's export as a background job, e-mailed and downloaded, then expired;
* ``tables`` — every tenant table, parents before children, as the others walk them;
* ``audit`` — the platform's record of each, kept after the business is gone.
"""
