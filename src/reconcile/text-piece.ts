/**
 * Bytes of text made into one string at a time on reconciliation's hot paths (declaration
 * batches, XML files, the row spool). A string over about 128 KiB is made in V8's large-object
 * space, at some 30 times the cost per byte (docs/performance.md, session 11); 32 KiB of UTF-8
 * stays under it even as two-byte text.
 */
export const TEXT_PIECE_BYTES = 1 << 15;
